// Command etcd is etcd's own server, built from its Go module: the storage kube-apiserver needs
// (Debian's etcd-server is older than Kubernetes asks for).
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
