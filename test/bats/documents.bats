#!/usr/bin/env bats
# Every SSM document: contract, structure, parameter patterns against shell injection, and
# ShellCheck on the script as Run Command would run it.

load test_helper

CONTRACTS="${REPO_ROOT}/docs/CONTRACTS.md"

# Values that must never pass an allowedPattern.
INJECTIONS=(';' '$(' '`' '|' '&' ' ' "'" '"' $'\n' '../' '>' '<' '\' '*' '{{' '#' '%')

# docs: every document name.
docs() {
  local f
  for f in "${DOCS_DIR}"/*.yaml; do basename "${f}" .yaml; done
}

# params DOC: the parameter names of a document.
params() {
  node "${SSM_DOC_TOOL}" list-params "${DOCS_DIR}/$1.yaml" \
    | node -e 'for (const p of JSON.parse(require("fs").readFileSync(0, "utf8")).parameters) console.log(p.name)'
}

# sample_args DOC: Name=Value for every parameter, from SAMPLE.
sample_args() {
  local p
  for p in $(params "$1"); do echo "${p}=${SAMPLE[${p}]}"; done
}

@test "the documents are exactly the ten named in CONTRACTS.md, with the parameters listed there" {
  run -0 node -e '
    const fs = require("fs");
    const rows = fs.readFileSync(process.argv[1], "utf8").split("\n").filter((l) => l.startsWith("| `drbd-"));
    const want = {};
    for (const r of rows) {
      const cells = r.split("|").map((c) => c.trim());
      want[cells[1].replace(/`/g, "").replace(".yaml", "")] = (cells[3].match(/`[A-Za-z0-9]+`/g) || []).map((s) => s.slice(1, -1)).sort();
    }
    console.log(JSON.stringify(want));
  ' "${CONTRACTS}"
  local want="${output}" doc
  [[ "$(node -e 'console.log(Object.keys(JSON.parse(process.argv[1])).length)' "${want}")" == 10 ]]
  for doc in $(docs); do
    local got
    got="$(params "${doc}" | sort | paste -sd, -)"
    [[ "$(node -e 'const w = JSON.parse(process.argv[1])[process.argv[2]]; console.log(w ? w.join(",") : "MISSING")' "${want}" "${doc}")" == "${got}" ]] \
      || { echo "${doc}: parameters ${got} differ from CONTRACTS.md" >&2; return 1; }
  done
}

@test "every document is schemaVersion 2.2 with one bash runShellScript step ending in main" {
  local doc
  for doc in $(docs); do
    grep -qx 'schemaVersion: "2.2"' "${DOCS_DIR}/${doc}.yaml"
    render "${doc}" $(sample_args "${doc}")
    [[ "$(sed -n 1p "${SCRIPT}")" == '#!/bin/bash' ]]
    [[ "$(sed -n 2p "${SCRIPT}")" == 'set -euo pipefail' ]]
    [[ "$(grep -v '^[[:space:]]*$' "${SCRIPT}" | tail -n1)" == 'main "$@"' ]]
    (( $(wc -l <"${SCRIPT}") - $(wc -l <"${DOCS_DIR}/lib/prelude.bash") <= 150 ))
  done
}

@test "every document has one # @prelude line, rendered as the text of lib/prelude.bash" {
  local doc prelude
  prelude="$(<"${DOCS_DIR}/lib/prelude.bash")"
  for doc in $(docs); do
    [[ "$(grep -c '^ *# @prelude$' "${DOCS_DIR}/${doc}.yaml")" == 1 ]] \
      || { echo "${doc}: not exactly one # @prelude line" >&2; return 1; }
    render "${doc}" $(sample_args "${doc}")
    ! grep -q '^# @prelude$' "${SCRIPT}"
    [[ "$(<"${SCRIPT}")" == *$'\n'"${prelude}"$'\n'* ]]
  done
}

@test "every parameter has a description and an allowedPattern anchored with ^ and \$" {
  local doc
  for doc in $(docs); do
    run -0 node -e '
      const d = JSON.parse(process.argv[1]);
      for (const p of d.parameters) {
        if (!p.description || !p.allowedPattern.startsWith("^") || !p.allowedPattern.endsWith("$")) {
          console.log(`${d.document}.${p.name}`); process.exitCode = 1;
        }
      }' "$(node "${SSM_DOC_TOOL}" list-params "${DOCS_DIR}/${doc}.yaml")"
  done
}

@test "every allowedPattern of every document rejects shell metacharacters, spaces, quotes, newlines and ../" {
  # One node process checks every value with the tool's own validation (resolveValues);
  # the CLI path of the same check is covered in ssm-doc-tool.bats.
  local k
  SSM_DOC_TOOL="${SSM_DOC_TOOL}" run -0 node --input-type=module -e '
    import { readFileSync } from "node:fs";
    const files = process.argv.slice(1);
    const { loadDocument, resolveValues, Rejected } = await import(process.env.SSM_DOC_TOOL);
    const [samplePart, badPart] = readFileSync(0, "utf8").split("\0\0");
    const kv = samplePart.split("\0");
    const samples = {};
    for (let i = 0; i + 1 < kv.length; i += 2) samples[kv[i]] = kv[i + 1];
    const bad = badPart.split("\0").filter((b) => b !== "");
    let checked = 0;
    for (const file of files) {
      const { params } = loadDocument(file);
      for (const name of Object.keys(params)) {
        const others = Object.keys(params).filter((n) => n !== name).map((n) => `${n}=${samples[n]}`);
        resolveValues(params, [...others, `${name}=${samples[name]}`]);
        for (const b of bad) {
          for (const v of [b, samples[name] + b, b + samples[name], samples[name] + b + "x"]) {
            checked++;
            try {
              resolveValues(params, [...others, `${name}=${v}`]);
              console.log(`ACCEPTED ${file} ${name}=${JSON.stringify(v)}`);
              process.exitCode = 1;
            } catch (e) {
              if (!(e instanceof Rejected)) throw e;
            }
          }
        }
      }
    }
    console.log(`checked ${checked}`);
  ' "${DOCS_DIR}"/*.yaml < <(
    for k in "${!SAMPLE[@]}"; do printf '%s\0%s\0' "${k}" "${SAMPLE[${k}]}"; done
    printf '\0'
    printf '%s\0' "${INJECTIONS[@]}"
  )
  [[ "${output}" =~ checked\ ([0-9]+) ]]
  (( BASH_REMATCH[1] > 900 ))
}

@test "every document renders with valid sample values and its script passes shellcheck" {
  local doc
  for doc in $(docs); do
    render "${doc}" $(sample_args "${doc}")
    run shellcheck -s bash "${SCRIPT}"
    if (( status != 0 )); then echo "${doc}:" >&2; echo "${output}" >&2; return 1; fi
  done
}

@test "no document takes the shared secret as a parameter, only the SecretId of Secrets Manager" {
  local names
  names="$(for doc in $(docs); do params "${doc}"; done | grep -iE 'secret|password|key' | sort -u | paste -sd, -)"
  [[ "${names}" == SecretId ]]
}
