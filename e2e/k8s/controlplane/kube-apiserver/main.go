// Command kube-apiserver is the real Kubernetes API server, built from its Go modules so the
// operator's end-to-end tests run against it without a cluster or a container image.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
