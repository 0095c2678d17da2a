{{/* Names, labels and derived values shared by the templates. */}}

{{- define "kaskade-operator.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's full name: the release name when it already contains the chart name. */}}
{{- define "kaskade-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "kaskade-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kaskade-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kaskade-operator.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "kaskade-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "kaskade-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kaskade-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kaskade-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{- define "kaskade-operator.brokerImage" -}}
{{- printf "%s:%s" .Values.brokerImage.repository (.Values.brokerImage.tag | default .Chart.AppVersion) }}
{{- end }}

{{/* "true" when the replicas elect a leader: asked for, or more than one replica. */}}
{{- define "kaskade-operator.leaderElection" -}}
{{- if or .Values.leaderElection (gt (int .Values.replicaCount) 1) }}true{{ else }}false{{ end }}
{{- end }}
