{{- define "library-top.name" -}}lib{{- end -}}
