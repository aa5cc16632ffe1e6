#!/usr/bin/env node
// run-execution.mjs: runs ONE Step Functions execution of an ASL definition with the npm package
// aws-local-stepfunctions (needs Node >= 22: `npx -y -p node@22 node test/rehearsal/run-execution.mjs ...`).
// The rehearsal's Step Functions front starts one such process per StartExecution.
//
//   --definition FILE          ASL file (state-machines/reconcile.asl.json), used as it is except for:
//   --substitutions JSON       {"AcquireClusterLockFunction":"arn:aws:lambda:...", ...}: replaces
//                              ${Key} like CloudFormation's DefinitionSubstitutions; a ${...} left over fails.
//   --lambda-endpoint URL      the Lambda host: every Lambda Task POSTs its input to
//                              URL/invoke/<function name from the Resource ARN> and gets the result back.
//   --execution-arn ARN        $$.Execution.Id (also Name, StateMachine.Id in the Context Object)
//   --state-machine-arn ARN
//   --input JSON               execution input (default {})
//   --wait-override State=ms   (repeatable) the library's Wait state override; other waits use the
//                              definition (SecondsPath from the handlers' results).
//
// Output: one JSON object per line on stdout, as the execution runs: the library's event log
// (ExecutionStarted, StateEntered, StateExited, StateFailed, StateRetried, StateCaught,
// ExecutionSucceeded / ExecutionFailed) with the state's name and type, the output on StateExited,
// Error/Cause on failures. Exit code: 0 succeeded, 1 failed, 2 usage or definition error.
//
// Lambda semantics kept from AWS: the Lambda Invoke API answers a handler error with
// X-Amz-Function-Error and {"errorType","errorMessage","stackTrace"}; the Task then fails with
// Error = errorType (the Java exception's class name, what Retry/Catch ErrorEquals name) and
// Cause = that JSON object as a string. A Lambda service failure (host unreachable, HTTP 5xx)
// fails the Task with Lambda.ServiceException, which the definition retries.
import { readFileSync } from 'node:fs';
import { StateMachine } from 'aws-local-stepfunctions';

function usage(message) {
  process.stderr.write(`run-execution: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { waitOverrides: {}, input: '{}', substitutions: '{}' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) usage(`${flag} needs a value`);
    i++;
    switch (flag) {
      case '--definition': args.definition = value; break;
      case '--substitutions': args.substitutions = value; break;
      case '--lambda-endpoint': args.lambdaEndpoint = value.replace(/\/$/, ''); break;
      case '--execution-arn': args.executionArn = value; break;
      case '--state-machine-arn': args.stateMachineArn = value; break;
      case '--input': args.input = value; break;
      case '--wait-override': {
        const eq = value.lastIndexOf('=');
        const ms = Number(value.slice(eq + 1));
        if (eq < 1 || !Number.isFinite(ms) || ms < 0) usage(`--wait-override needs State=milliseconds, got ${value}`);
        args.waitOverrides[value.slice(0, eq)] = ms;
        break;
      }
      default: usage(`unknown option ${flag}`);
    }
  }
  for (const required of ['definition', 'lambdaEndpoint', 'executionArn', 'stateMachineArn']) {
    if (!args[required]) usage(`--${required.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} is required`);
  }
  return args;
}

/** CloudFormation DefinitionSubstitutions: ${Key} -> value; anything left over is an error. */
function substitute(text, substitutions) {
  const replaced = text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key) => (key in substitutions ? substitutions[key] : whole));
  const left = replaced.match(/\$\{[A-Za-z0-9_]+\}/g);
  if (left) usage(`definition has substitution variables without a value: ${[...new Set(left)].join(', ')}`);
  return replaced;
}

/** An error whose name is what Retry/Catch match (ErrorEquals), like a Lambda function error in AWS. */
class TaskError extends Error {
  constructor(name, cause) {
    super(cause);
    this.name = name;
  }
}

function functionName(resource) {
  // arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]
  const parts = resource.split(':');
  if (parts.length < 7 || parts[2] !== 'lambda' || parts[5] !== 'function') {
    throw new TaskError('States.Runtime', `Task resource ${resource} is not a Lambda function ARN`);
  }
  return parts[6];
}

function lambdaBridge(endpoint, resource) {
  const name = functionName(resource);
  return async (input) => {
    let response;
    try {
      response = await fetch(`${endpoint}/invoke/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
    } catch (e) {
      throw new TaskError('Lambda.ServiceException', `Lambda host unreachable at ${endpoint}: ${e.cause?.message ?? e.message}`);
    }
    const text = await response.text();
    if (response.status >= 500 || (response.status !== 200 && !response.headers.get('x-amz-function-error'))) {
      throw new TaskError('Lambda.ServiceException', `Lambda host answered HTTP ${response.status}: ${text.slice(0, 500)}`);
    }
    let payload;
    try {
      payload = text.length === 0 ? null : JSON.parse(text);
    } catch {
      throw new TaskError('Lambda.ServiceException', `Lambda ${name} returned a payload that is not JSON: ${text.slice(0, 200)}`);
    }
    if (response.headers.get('x-amz-function-error')) {
      throw new TaskError(payload?.errorType ?? 'Lambda.Unknown', JSON.stringify(payload));
    }
    return payload;
  };
}

function emit(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** The library's event, flattened to what the driver reads. */
function toLine(event) {
  const line = { type: event.type, timestamp: event.timestamp };
  if (event.state) {
    line.state = event.state.name;
    line.stateType = event.state.type;
    if (event.type === 'StateExited') line.output = event.state.output;
  }
  if (event.Error !== undefined) {
    line.error = event.Error;
    line.cause = typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause);
  }
  if (event.retry) line.attempt = event.retry.attempt;
  if (event.index !== undefined) line.index = event.index;
  if (event.type === 'ExecutionStarted') line.input = event.input;
  if (event.type === 'ExecutionSucceeded') line.output = event.output;
  return line;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let definition;
  let input;
  try {
    definition = JSON.parse(substitute(readFileSync(args.definition, 'utf8'), JSON.parse(args.substitutions)));
    input = JSON.parse(args.input);
  } catch (e) {
    usage(`cannot read the definition or input: ${e.message}`);
  }
  const taskResourceLocalHandlers = {};
  const collect = (states) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task') taskResourceLocalHandlers[name] = lambdaBridge(args.lambdaEndpoint, state.Resource);
      if (state.Type === 'Parallel') state.Branches.forEach((b) => collect(b.States));
      if (state.Type === 'Map') collect((state.ItemProcessor ?? state.Iterator).States);
    }
  };
  collect(definition.States);

  const name = args.executionArn.split(':').pop();
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides: args.waitOverrides },
    context: {
      Execution: { Id: args.executionArn, Name: name, RoleArn: 'arn:aws:iam::123456789012:role/rehearsal' },
      StateMachine: { Id: args.stateMachineArn, Name: args.stateMachineArn.split(':').pop() },
    },
  });
  const logging = (async () => {
    for await (const event of execution.eventLogs) emit(toLine(event));
  })();
  let exitCode = 0;
  try {
    await execution.result;
  } catch {
    exitCode = 1; // the ExecutionFailed / ExecutionTimeout event carries the details
  }
  await logging;
  process.exitCode = exitCode;
}

main().catch((e) => {
  process.stderr.write(`run-execution: ${e.stack ?? e}\n`);
  process.exit(2);
});
