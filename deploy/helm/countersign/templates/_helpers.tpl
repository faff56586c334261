{{/*
Shared pieces. Templates that exist once per service loop over .Values.services and call these
with the context: dict "root" $ "name" <service> "svc" <that service's values>.
*/}}

{{- define "countersign.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's base name: <release> when it already holds the chart name, else <release>-<chart>. */}}
{{- define "countersign.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "countersign.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <fullname>-<service>: the Deployment, Service, PDB, HPA, ... of one service. */}}
{{- define "countersign.componentName" -}}
{{- printf "%s-%s" (include "countersign.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of everything the release creates; ctx: dict "root" $ "name" <component>. */}}
{{- define "countersign.labels" -}}
helm.sh/chart: {{ include "countersign.chart" .root }}
{{ include "countersign.selectorLabels" . }}
app.kubernetes.io/part-of: countersign
{{- with .root.Chart.AppVersion }}
app.kubernetes.io/version: {{ . | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
{{- end }}

{{- define "countersign.selectorLabels" -}}
app.kubernetes.io/name: {{ include "countersign.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{/* INGEST, APPROVAL, PUBLISHER, NOTIFIER: the prefix of a service's own variables. */}}
{{- define "countersign.envPrefix" -}}
{{- .name | upper | replace "-" "_" }}
{{- end }}

{{/* <registry>/<repository>:<tag> of a service's image. */}}
{{- define "countersign.image" -}}
{{- $image := .svc.image | default dict }}
{{- $repository := $image.repository | default (printf "countersign-%s" .name) }}
{{- $tag := $image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- with .root.Values.image.registry }}
{{- printf "%s/%s:%s" (trimSuffix "/" .) $repository $tag }}
{{- else }}
{{- printf "%s:%s" $repository $tag }}
{{- end }}
{{- end }}

{{/* Kafka settings every container needs (countersign-migrate reads them too), connecting as
the component's own user (.name: a service, or "topics" for the admin; ADR 0063). */}}
{{- define "countersign.env.kafka" -}}
{{- $kafka := .root.Values.kafka }}
- name: KAFKA_BOOTSTRAP_SERVERS
  value: {{ $kafka.bootstrapServers | quote }}
- name: KAFKA_TOPIC_PREFIX
  value: {{ $kafka.topicPrefix | quote }}
- name: KAFKA_REPLICATION_FACTOR
  value: {{ .root.Values.topics.replicationFactor | quote }}
- name: KAFKA_SECURITY_PROTOCOL
  value: {{ $kafka.securityProtocol | quote }}
{{- if hasPrefix "SASL_" $kafka.securityProtocol }}
{{- $user := include "countersign.kafkaUser" . | fromYaml }}
- name: KAFKA_SASL_MECHANISM
  value: {{ $kafka.saslMechanism | quote }}
- name: KAFKA_SASL_USERNAME
  value: {{ $user.username | quote }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $user.existingSecret | quote }}
      key: {{ $user.key | quote }}
{{- end }}
{{- if $kafka.ca.existingSecret }}
- name: KAFKA_SSL_CAFILE
  value: {{ printf "/etc/countersign/kafka-ca/%s" $kafka.ca.key | quote }}
{{- end }}
{{- end }}

{{/* A component's Kafka user: kafka.users.<name>, else <fullname>-<name> with its password under
"password" in the Secret of that name (what a Strimzi KafkaUser of that name writes). */}}
{{- define "countersign.kafkaUser" -}}
{{- $default := printf "%s-%s" (include "countersign.fullname" .root) .name }}
{{- $given := get .root.Values.kafka.users .name | default dict }}
username: {{ $given.username | default $default | quote }}
existingSecret: {{ $given.existingSecret | default $default | quote }}
key: {{ $given.key | default "password" | quote }}
{{- end }}

{{/* The principal each service has in the ACLs (countersign-topics --principal-format). */}}
{{- define "countersign.kafkaPrincipalFormat" -}}
{{- .Values.kafka.acls.principalFormat | default (printf "User:%s-{service}" (include "countersign.fullname" .)) }}
{{- end }}

{{/* <SERVICE>_DATABASE_URL from the service's own Secret: its own role (ADR 0060). */}}
{{- define "countersign.env.database" -}}
{{- $db := .svc.database | default dict }}
{{- if not $db.existingSecret }}
{{- fail (printf "services.%s.database.existingSecret: every service needs its own database Secret" .name) }}
{{- end }}
- name: {{ printf "%s_DATABASE_URL" (upper .name) }}
  valueFrom:
    secretKeyRef:
      name: {{ $db.existingSecret | quote }}
      key: {{ $db.key | quote }}
{{- end }}

{{/* ACCESS_JWKS_URL: access.jwksUrl, else this release's approval Service, else nothing. */}}
{{- define "countersign.jwksUrl" -}}
{{- $approval := .Values.services.approval | default dict }}
{{- if .Values.access.jwksUrl }}
{{- .Values.access.jwksUrl }}
{{- else if $approval.enabled }}
{{- $service := include "countersign.componentName" (dict "root" . "name" "approval") }}
{{- printf "http://%s:%v/.well-known/jwks.json" $service $approval.port }}
{{- end }}
{{- end }}

{{/* People's access tokens: where every service finds the keys; approval's signing keys. */}}
{{- define "countersign.env.access" -}}
{{- $secrets := .root.Values.secrets }}
{{- with include "countersign.jwksUrl" .root }}
- name: ACCESS_JWKS_URL
  value: {{ . | quote }}
{{- end }}
- name: ACCESS_ISSUER
  value: {{ .root.Values.access.issuer | quote }}
- name: ACCESS_AUDIENCE
  value: {{ .root.Values.access.audience | quote }}
{{- if eq .name "approval" }}
- name: APPROVAL_ACCESS_TOKEN_TTL_S
  value: {{ .root.Values.access.tokenTtlSeconds | quote }}
{{- if $secrets.keys.signingKeys }}
- name: APPROVAL_SIGNING_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ $secrets.existingSecret | quote }}
      key: {{ $secrets.keys.signingKeys | quote }}
      optional: true
{{- end }}
{{- with .root.Values.access.clients }}
- name: APPROVAL_CLIENTS
  value: {{ . | quote }}
{{- end }}
{{- include "countersign.env.approvalOidc" .root }}
{{- end }}
{{- end }}

{{/* "Sign in with <provider>": approval verifies the ID tokens issued to the web app's client. */}}
{{- define "countersign.env.approvalOidc" -}}
{{- $web := .Values.web }}
{{- if and $web.enabled $web.oidc.issuer $web.oidc.clientId }}
- name: APPROVAL_OIDC_ISSUER
  value: {{ $web.oidc.issuer | quote }}
- name: APPROVAL_OIDC_CLIENT_ID
  value: {{ $web.oidc.clientId | quote }}
{{- end }}
{{- end }}

{{/* The web app's container environment (ADR 0048): approval, its cookies, mail, OIDC. */}}
{{- define "countersign.env.web" -}}
{{- $web := .root.Values.web }}
{{- $secrets := .root.Values.secrets }}
{{- $approval := .root.Values.services.approval | default dict }}
{{- $ingest := .root.Values.services.ingest | default dict }}
{{- $publisher := .root.Values.services.publisher | default dict }}
{{- if not (and $secrets.keys.webClientSecret $secrets.keys.webCookieKeys) }}
{{- fail "web.enabled needs secrets.keys.webClientSecret and secrets.keys.webCookieKeys" }}
{{- end }}
{{- if not $approval.enabled }}
{{- fail "web.enabled needs services.approval.enabled: the web app acts through approval's API" }}
{{- end }}
- name: WEB_HTTP_PORT
  value: {{ $web.port | quote }}
- name: WEB_LOG_LEVEL
  value: {{ $web.logLevel | default .root.Values.logLevel | quote }}
{{- if .root.Values.otel.enabled }}
{{ include "countersign.env.otel" (dict "root" .root "name" "web") | trim }}
{{- end }}
- name: WEB_PUBLIC_URL
  value: {{ $web.publicUrl | quote }}
- name: WEB_APPROVAL_URL
  value: {{ printf "http://%s:%v" (include "countersign.componentName" (dict "root" .root "name" "approval")) $approval.port | quote }}
- name: WEB_INGEST_URL
  value: {{ printf "http://%s:%v" (include "countersign.componentName" (dict "root" .root "name" "ingest")) $ingest.port | quote }}
- name: WEB_PUBLISHER_URL
  value: {{ printf "http://%s:%v" (include "countersign.componentName" (dict "root" .root "name" "publisher")) $publisher.port | quote }}
- name: WEB_SECURE_COOKIES
  value: {{ $web.secureCookies | quote }}
- name: WEB_SMTP_HOST
  value: {{ $web.mail.smtpHost | quote }}
- name: WEB_SMTP_PORT
  value: {{ $web.mail.smtpPort | quote }}
- name: WEB_SMTP_REQUIRE_TLS
  value: {{ $web.mail.requireTls | quote }}
- name: WEB_MAIL_FROM
  value: {{ $web.mail.from | quote }}
{{- with $web.mail.smtpUser }}
- name: WEB_SMTP_USER
  value: {{ . | quote }}
{{- end }}
{{- if and $web.oidc.issuer $web.oidc.clientId }}
- name: WEB_OIDC_ISSUER
  value: {{ $web.oidc.issuer | quote }}
- name: WEB_OIDC_CLIENT_ID
  value: {{ $web.oidc.clientId | quote }}
- name: WEB_OIDC_NAME
  value: {{ $web.oidc.name | quote }}
{{- end }}
{{- range $variable, $key := dict "WEB_CLIENT_SECRET" $secrets.keys.webClientSecret "WEB_COOKIE_KEYS" $secrets.keys.webCookieKeys }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $secrets.existingSecret | quote }}
      key: {{ $key | quote }}
{{- end }}
{{- range $variable, $key := dict "WEB_SMTP_PASSWORD" $secrets.keys.webSmtpPassword "WEB_OIDC_CLIENT_SECRET" $secrets.keys.webOidcClientSecret }}
{{- if $key }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $secrets.existingSecret | quote }}
      key: {{ $key | quote }}
      optional: true
{{- end }}
{{- end }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with $web.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The notifier's own settings (ADR 0050): approval for the grants, the web app for the links,
the mail server. Part of countersign.env.service when .name is notifier. */}}
{{- define "countersign.env.notifier" -}}
{{- $mail := .svc.mail }}
{{- $secrets := .root.Values.secrets }}
{{- $approval := .root.Values.services.approval | default dict }}
{{- if not $secrets.keys.notifierClientSecret }}
{{- fail "services.notifier.enabled needs secrets.keys.notifierClientSecret" }}
{{- end }}
{{- if not $approval.enabled }}
{{- fail "services.notifier.enabled needs services.approval.enabled: the buttons' grants come from approval" }}
{{- end }}
- name: NOTIFIER_APPROVAL_URL
  value: {{ printf "http://%s:%v" (include "countersign.componentName" (dict "root" .root "name" "approval")) $approval.port | quote }}
- name: NOTIFIER_WEB_URL
  value: {{ .svc.webUrl | default .root.Values.web.publicUrl | quote }}
- name: NOTIFIER_SMTP_HOST
  value: {{ $mail.smtpHost | quote }}
- name: NOTIFIER_SMTP_PORT
  value: {{ $mail.smtpPort | quote }}
- name: NOTIFIER_SMTP_REQUIRE_TLS
  value: {{ $mail.requireTls | quote }}
- name: NOTIFIER_MAIL_FROM
  value: {{ $mail.from | quote }}
{{- with $mail.smtpUser }}
- name: NOTIFIER_SMTP_USER
  value: {{ . | quote }}
{{- end }}
- name: NOTIFIER_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $secrets.existingSecret | quote }}
      key: {{ $secrets.keys.notifierClientSecret | quote }}
{{- with $secrets.keys.notifierSmtpPassword }}
- name: NOTIFIER_SMTP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $secrets.existingSecret | quote }}
      key: {{ . | quote }}
      optional: true
{{- end }}
{{- end }}

{{/* The whole environment of a service container. */}}
{{- define "countersign.env.service" -}}
{{- $prefix := include "countersign.envPrefix" . }}
{{- $secrets := .root.Values.secrets }}
{{ include "countersign.env.database" . | trim }}
{{ include "countersign.env.kafka" . | trim }}
{{- range $variable, $key := dict "COUNTERSIGN_ADMIN_TOKEN" $secrets.keys.adminToken "DOCUMENT_LINK_SECRET" $secrets.keys.documentLinkSecret "ENCRYPTION_KEYS" $secrets.keys.encryptionKeys }}
{{- if $key }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $secrets.existingSecret | quote }}
      key: {{ $key | quote }}
{{- end }}
{{- end }}
{{ include "countersign.env.access" . | trim }}
- name: {{ $prefix }}_HTTP_PORT
  value: {{ .svc.port | quote }}
- name: {{ $prefix }}_MIGRATE_ON_START
  value: {{ (not .root.Values.migrations.enabled) | quote }}
- name: {{ $prefix }}_LOG_LEVEL
  value: {{ .svc.logLevel | default .root.Values.logLevel | quote }}
{{- with .root.Values.otel }}{{ if .enabled }}
{{ include "countersign.env.otel" $ | trim }}
{{- end }}{{ end }}
{{- if eq .name "notifier" }}
{{ include "countersign.env.notifier" . | trim }}
{{- end }}
{{- $ingest := .root.Values.services.ingest | default dict }}
{{- if and (eq .name "publisher") $ingest.enabled }}
- name: PUBLISHER_INGEST_URL
  value: {{ printf "http://%s:%v" (include "countersign.componentName" (dict "root" .root "name" "ingest")) $ingest.port | quote }}
{{- end }}
{{- if eq .name "publisher" }}
{{- range $variable, $key := dict "PUBLISHER_XERO_WEBHOOK_KEY" $secrets.keys.xeroWebhookKey "PUBLISHER_QBO_WEBHOOK_VERIFIER" $secrets.keys.qboWebhookVerifier }}
{{- if $key }}
- name: {{ $variable }}
  valueFrom:
    secretKeyRef:
      name: {{ $secrets.existingSecret | quote }}
      key: {{ $key | quote }}
      optional: true
{{- end }}
{{- end }}
{{- end }}
{{- with .root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* OpenTelemetry traces over OTLP/HTTP (ADR 0059), when otel.enabled: the standard OTEL_*
variables, read by the services' tracing setup and nothing else. Part of countersign.env.service
and countersign.env.web. */}}
{{- define "countersign.env.otel" -}}
{{- $otel := .root.Values.otel }}
- name: OTEL_TRACES_EXPORTER
  value: otlp
- name: OTEL_EXPORTER_OTLP_PROTOCOL
  value: http/protobuf
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $otel.endpoint | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ .name | quote }}
- name: OTEL_TRACES_SAMPLER
  value: {{ $otel.sampler | quote }}
{{- with $otel.samplerArg }}
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ . | quote }}
{{- end }}
{{- with $otel.resourceAttributes }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ . | quote }}
{{- end }}
{{- with $otel.headersKey }}
- name: OTEL_EXPORTER_OTLP_HEADERS
  valueFrom:
    secretKeyRef:
      name: {{ $.root.Values.secrets.existingSecret | quote }}
      key: {{ . | quote }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by the Deployments, the hook Jobs and the test pod. */}}
{{- define "countersign.podCommon" -}}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .root.Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .root.Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The writable /tmp of a read-only root filesystem: the volume, then its mount. */}}
{{- define "countersign.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmpSizeLimit }}
{{- with .root.Values.kafka.ca.existingSecret }}
- name: kafka-ca
  secret:
    secretName: {{ . | quote }}
{{- end }}
{{- end }}

{{/* /tmp, and the brokers' CA (kafka.ca) read-only where KAFKA_SSL_CAFILE points. */}}
{{- define "countersign.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- if .root.Values.kafka.ca.existingSecret }}
- name: kafka-ca
  mountPath: /etc/countersign/kafka-ca
  readOnly: true
{{- end }}
{{- end }}

{{/* Replicas are left to the autoscaler when one is enabled. */}}
{{- define "countersign.autoscaled" -}}
{{- if or (and .svc.autoscaling .svc.autoscaling.enabled) (and .svc.keda .svc.keda.enabled) }}true{{- end }}
{{- end }}
