# ssm-documents/lib/prelude.bash, spliced in place of each document's "# @prelude" line.

# log MESSAGE...: one line on stderr, timestamped and tagged with DOC_NAME.
log() {
  printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "${DOC_NAME}" "$*" >&2
}

# json_str STRING [REGEX]: a JSON string on stdout; null for "" or a STRING REGEX misses.
json_str() {
  local s="${1//\\/\\\\}"
  s="${s//\"/\\\"}"
  if [[ -z "$1" || ! "$1" =~ ${2:-^} ]]; then printf 'null'; else printf '"%s"' "${s//[[:cntrl:]]/ }"; fi
}

# json_object NAME JSON...: {"NAME":JSON,...} on stdout, in the order given.
json_object() {
  local fields=""
  while (( $# > 1 )); do fields+="${fields:+,}\"$1\":$2"; shift 2; done
  printf '{%s}' "${fields}"
}

# result CODE ERROR NAME JSON...: the last stdout line, ok and error around the fields given
# (ERROR also logged when CODE is not 0); exits CODE.
result() {
  local ok=true
  if (( $1 != 0 )); then ok=false; log "$2"; fi
  printf '%s\n' "$(json_object ok "${ok}" "${@:3}" error "$(json_str "$2")")"
  exit "$1"
}
