{{/* The apps the chart runs: app-id (= Deployment, Service, scopes entry), port, entry point. */}}
{{- define "holdfast.apps" -}}
booking: { port: 3000, entry: apps/booking/src/main.ts }
providers: { port: 3001, entry: apps/providers/src/main.ts }
fulfillment: { port: 3002, entry: apps/fulfillment/src/main.ts }
delivery: { port: 3003, entry: apps/delivery/src/main.ts }
admin: { port: 3005, entry: apps/admin/src/main.ts }
{{- end }}

{{/* The enabled apps, as a list of names (providers only with providers.enabled). */}}
{{- define "holdfast.enabledApps" -}}
{{- $apps := list "booking" "fulfillment" "delivery" "admin" }}
{{- if .Values.providers.enabled }}{{ $apps = append $apps "providers" }}{{ end }}
{{- toJson $apps }}
{{- end }}

{{- define "holdfast.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/part-of: holdfast
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* (list $ app): the selector of one app's pods. */}}
{{- define "holdfast.selector" -}}
app: {{ index . 1 }}
app.kubernetes.io/instance: {{ (index . 0).Release.Name }}
{{- end }}

{{- define "holdfast.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* (list $ id): the Secret behind a chart secret id: the operator's existing one, else holdfast-<id>. */}}
{{- define "holdfast.secretName" -}}
{{- $ctx := index . 0 }}{{- $id := index . 1 }}
{{- index $ctx.Values.secrets.existing $id | default (printf "holdfast-%s" $id) }}
{{- end }}

{{/* (list $ id): "true" when the chart creates that Secret. */}}
{{- define "holdfast.createsSecret" -}}
{{- if not (index (index . 0).Values.secrets.existing (index . 1)) }}true{{ end }}
{{- end }}

{{/*
(list $ name secretId key generate): a credential for a Secret the chart creates. secrets.values.<name>
if given; else what that Secret already holds (an upgrade keeps it); else one random value per
render, the same in every Secret that holds it (ADMIN_API_TOKEN in booking, delivery and admin);
else, when it cannot be generated, empty.
*/}}
{{- define "holdfast.credential" -}}
{{- $ctx := index . 0 }}{{- $name := index . 1 }}{{- $id := index . 2 }}{{- $key := index . 3 }}{{- $generate := index . 4 }}
{{- $given := index $ctx.Values.secrets.values $name | default "" }}
{{- if $given }}{{ $given }}
{{- else }}
{{- $stored := "" }}
{{- $existing := lookup "v1" "Secret" $ctx.Release.Namespace (printf "holdfast-%s" $id) }}
{{- if and $existing $existing.data (hasKey $existing.data $key) }}{{ $stored = index $existing.data $key | b64dec }}{{ end }}
{{- if not (hasKey $ctx.Values.secrets "__generated") }}{{ $_ := set $ctx.Values.secrets "__generated" dict }}{{ end }}
{{- $cache := $ctx.Values.secrets.__generated }}
{{- if $stored }}{{ $_ := set $cache $name $stored }}{{ end }}
{{- if and $generate (not (hasKey $cache $name)) }}
{{- $_ := set $cache $name (ternary (printf "whsec_%s" (randAlphaNum 40)) (randAlphaNum 48) (eq $name "paymentsWebhookSecret")) }}
{{- end }}
{{- index $cache $name | default "" }}
{{- end }}
{{- end }}

{{/* (list $ which): a gateway URL: values.gateways.<which>, else the providers app, else an error. */}}
{{- define "holdfast.gatewayUrl" -}}
{{- $ctx := index . 0 }}{{- $which := index . 1 }}
{{- $fromProviders := dict "payments" "http://providers:3001" "fulfillment" "http://providers:3001" "email" "http://providers:3001" "sms" "http://providers:3001/sms/send" "refund" "http://providers:3001/refunds" }}
{{- $given := index $ctx.Values.gateways $which }}
{{- if $given }}{{ $given }}
{{- else if $ctx.Values.providers.enabled }}{{ index $fromProviders $which }}
{{- else if ne $which "email" }}{{ fail (printf "gateways.%s is required when providers.enabled is false" $which) }}
{{- end }}
{{- end }}

{{/* (list $ NAME): what an envRef of components/ reads (scripts/render-k8s-components.ts). */}}
{{- define "holdfast.componentEnv" -}}
{{- $ctx := index . 0 }}{{- $name := index . 1 }}
{{- if eq $name "HOLDFAST_REDIS_ADDRESS" }}{{ required "redis.address is required" $ctx.Values.redis.address }}
{{- else if eq $name "HOLDFAST_SMS_GATEWAY_URL" }}{{ include "holdfast.gatewayUrl" (list $ctx "sms") }}
{{- else if eq $name "HOLDFAST_REFUND_GATEWAY_URL" }}{{ include "holdfast.gatewayUrl" (list $ctx "refund") }}
{{- else }}{{ fail (printf "components/ reads %s: give it a value in holdfast.componentEnv (templates/_helpers.tpl)" $name) }}
{{- end }}
{{- end }}

{{- define "holdfast.stateDatabaseUrl" -}}
{{- if .Values.database.stateUrl }}{{ .Values.database.stateUrl }}
{{- else }}{{ .Values.database.url }}{{ ternary "&" "?" (contains "?" .Values.database.url) }}search_path=dapr
{{- end }}
{{- end }}

{{/* (list $ secretId key): an env entry's valueFrom. */}}
{{- define "holdfast.secretEnv" -}}
valueFrom:
  secretKeyRef:
    name: {{ include "holdfast.secretName" (list (index . 0) (index . 1)) | quote }}
    key: {{ index . 2 }}
{{- end }}

{{/* The pod-level fields every Holdfast pod shares. */}}
{{- define "holdfast.podCommon" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ . }}
{{- end }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  # The root filesystem is read-only; tsx's transform cache and TMPDIR live here.
  - name: tmp
    emptyDir:
      sizeLimit: {{ .Values.tmpSizeLimit }}
{{- end }}

{{/* (list $ appId configName): the Dapr annotations of one pod. */}}
{{- define "holdfast.daprAnnotations" -}}
{{- $ctx := index . 0 }}{{- $d := $ctx.Values.dapr }}
dapr.io/enabled: "true"
dapr.io/app-id: {{ index . 1 | quote }}
dapr.io/config: {{ printf "holdfast-%s" (index . 1) | quote }}
dapr.io/log-level: {{ $d.logLevel | quote }}
dapr.io/log-as-json: {{ $d.logAsJson | quote }}
dapr.io/enable-metrics: {{ $d.enableMetrics | quote }}
dapr.io/metrics-port: {{ $d.metricsPort | quote }}
dapr.io/sidecar-cpu-request: {{ $d.sidecar.cpuRequest | quote }}
dapr.io/sidecar-memory-request: {{ $d.sidecar.memoryRequest | quote }}
{{- with $d.sidecar.cpuLimit }}
dapr.io/sidecar-cpu-limit: {{ . | quote }}
{{- end }}
{{- with $d.sidecar.memoryLimit }}
dapr.io/sidecar-memory-limit: {{ . | quote }}
{{- end }}
# Dapr's built-in Kubernetes store would read every Secret of the namespace; ours (secretstore) is scoped.
dapr.io/disable-builtin-k8s-secret-store: "true"
{{- end }}
