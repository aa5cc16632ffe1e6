#!/usr/bin/env node
// ssm-doc.mjs: render the shell script of an SSM Command document (schemaVersion 2.2,
// one aws:runShellScript step) the way Run Command would, so tests can run it locally.
//
// CLI (stable: the bats tests and the Java rehearsal call it):
//   node rehearsal/runtime/ssm-doc.mjs render <doc.yaml> <out-script> [Name=Value ...]
//       Checks every given value against the parameter's allowedPattern, fills in defaults,
//       joins the runCommand lines with "\n", replaces a line "# @prelude" with the text of
//       lib/prelude.bash next to the document (as NodeDocuments does when it deploys it),
//       replaces {{ Name }} / {{Name}} and writes the script to <out-script> (mode 0755).
//       A value is everything after the first "=", so base64 padding is kept.
//   node rehearsal/runtime/ssm-doc.mjs list-params <doc.yaml>
//       Prints {"document":..,"schemaVersion":..,"parameters":[{"name","type",
//       "description","default"?,"allowedPattern"}]} as one JSON line.
// Exit codes: 0 done; 2 a value is rejected (no match, unknown parameter, required
// parameter missing); 1 usage error or a malformed document. Messages go to stderr.
// Imported as a module it runs no CLI and exports loadDocument, resolveValues and Rejected,
// so a test can check many values in one process with the same code.
//
// The patterns are checked with JavaScript RegExp.test. Every pattern in this project is
// anchored with ^...$, so search-or-match semantics give the same answer.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('yaml');

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_:.-]+)\s*\}\}/g;
// The splice NodeDocuments does at deploy time; NodeDocumentsTemplateTest compares the two.
const PRELUDE_MARKER = '# @prelude';
const PRELUDE_FILE = 'lib/prelude.bash';

export class Rejected extends Error {}

function fail(message, code) {
  process.stderr.write(`ssm-doc: ${message}\n`);
  process.exit(code);
}

export function loadDocument(path) {
  const doc = YAML.parse(readFileSync(path, 'utf8'));
  if (doc?.schemaVersion !== '2.2') throw new Error(`${path}: schemaVersion must be "2.2"`);
  const steps = doc.mainSteps;
  if (!Array.isArray(steps) || steps.length !== 1 || steps[0].action !== 'aws:runShellScript') {
    throw new Error(`${path}: expected exactly one aws:runShellScript step in mainSteps`);
  }
  const lines = steps[0].inputs?.runCommand;
  if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string')) {
    throw new Error(`${path}: inputs.runCommand must be a list of strings`);
  }
  const params = doc.parameters ?? {};
  for (const [name, spec] of Object.entries(params)) {
    if (spec.type !== 'String') throw new Error(`${path}: parameter ${name} must be of type String`);
    if (typeof spec.allowedPattern !== 'string') {
      throw new Error(`${path}: parameter ${name} has no allowedPattern`);
    }
  }
  return { doc, params, lines };
}

export function resolveValues(params, assignments) {
  const given = {};
  for (const arg of assignments) {
    const eq = arg.indexOf('=');
    if (eq < 1) throw new Rejected(`argument "${arg}" is not Name=Value`);
    const name = arg.slice(0, eq);
    if (!(name in params)) throw new Rejected(`unknown parameter ${name}`);
    given[name] = arg.slice(eq + 1);
  }
  const values = {};
  for (const [name, spec] of Object.entries(params)) {
    const value = name in given ? given[name] : spec.default;
    if (value === undefined) throw new Rejected(`parameter ${name} is required and has no default`);
    if (!new RegExp(spec.allowedPattern).test(String(value))) {
      throw new Rejected(`value ${JSON.stringify(value)} of ${name} does not match ${spec.allowedPattern}`);
    }
    values[name] = String(value);
  }
  return values;
}

// The script with its one marker line, if any, replaced by the prelude (without its final
// newline: the marker's own line break follows it).
function splicePrelude(script, docPath) {
  const lines = script.split('\n');
  const at = lines.indexOf(PRELUDE_MARKER);
  if (at < 0) return script;
  if (lines.lastIndexOf(PRELUDE_MARKER) !== at) {
    throw new Error(`${docPath}: more than one "${PRELUDE_MARKER}" line`);
  }
  const prelude = readFileSync(join(dirname(docPath), PRELUDE_FILE), 'utf8');
  lines[at] = prelude.endsWith('\n') ? prelude.slice(0, -1) : prelude;
  return lines.join('\n');
}

function render(docPath, outPath, assignments) {
  const { params, lines } = loadDocument(docPath);
  const values = resolveValues(params, assignments);
  const script = splicePrelude(lines.join('\n'), docPath).replace(PLACEHOLDER, (whole, name) => {
    if (!(name in values)) throw new Error(`${docPath}: ${whole} names no declared parameter`);
    return values[name];
  });
  writeFileSync(outPath, script, { mode: 0o755 });
}

function listParams(docPath) {
  const { doc, params } = loadDocument(docPath);
  const parameters = Object.entries(params).map(([name, spec]) => ({
    name,
    type: spec.type,
    description: spec.description,
    ...(spec.default !== undefined ? { default: String(spec.default) } : {}),
    allowedPattern: spec.allowedPattern,
  }));
  const document = basename(docPath).replace(/\.ya?ml$/, '');
  process.stdout.write(`${JSON.stringify({ document, schemaVersion: doc.schemaVersion, parameters })}\n`);
}

function main(argv) {
  const [command, ...rest] = argv;
  try {
    if (command === 'render' && rest.length >= 2) {
      render(rest[0], rest[1], rest.slice(2));
    } else if (command === 'list-params' && rest.length === 1) {
      listParams(rest[0]);
    } else {
      fail('usage: ssm-doc.mjs render <doc.yaml> <out-script> [Name=Value ...] | list-params <doc.yaml>', 1);
    }
  } catch (e) {
    fail(e.message, e instanceof Rejected ? 2 : 1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
