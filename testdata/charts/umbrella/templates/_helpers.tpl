{{- define "umbrella.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end -}}
