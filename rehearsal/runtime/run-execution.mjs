#!/usr/bin/env node
// run-execution.mjs: runs ONE Step Functions execution of an ASL definition with the npm package
// aws-local-stepfunctions (needs Node >= 22: `npx -y -p node@22 node rehearsal/runtime/run-execution.mjs ...`).
// The rehearsal's Step Functions front starts one such process per StartExecution.
//
//   --definition FILE          ASL file (state-machines/reconcile.asl.json), used as it is except for:
//   --substitutions JSON       {"AcquireClusterLockFunction":"arn:aws:lambda:...", ...}: replaces
//                              ${Key} like CloudFormation's DefinitionSubstitutions; a ${...} left over fails.
//   --lambda-endpoint URL      the rehearsal's Lambda API: every Lambda Task calls Invoke there with the
//                              AWS SDK for JavaScript, signed with the state machine role's credentials
//                              (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, AWS_REGION).
//   --execution-arn ARN        $$.Execution.Id (also Name, StateMachine.Id in the Context Object)
//   --state-machine-arn ARN
//   --input JSON               execution input (default {})
//   --wait-override State=ms   (repeatable) the library's Wait state override (a fixed wait).
//   --wait-scale F             every other Wait state waits its seconds (SecondsPath from the
//                              handlers' results) times F: the rehearsal's compressed time. Such a
//                              Wait runs as a local step of the same name that sleeps and passes its
//                              input on (the event lines still say Wait); a SecondsPath that is not a
//                              non-negative integer fails with States.Runtime, as in Step Functions.
//   --retry-override State=ms  (repeatable) the library's Retry interval override of a Task state.
//
// Output: one JSON object per line on stdout, as the execution runs: the library's event log
// (ExecutionStarted, StateEntered, StateExited, StateFailed, StateRetried, StateCaught,
// ExecutionSucceeded / ExecutionFailed) with the state's name and type, the output on StateExited,
// Error/Cause on failures. Exit code: 0 succeeded, 1 failed, 2 usage or definition error.
//
// Lambda semantics kept from AWS (Step Functions developer guide, "Handle Lambda service exceptions"
// and "Error handling"): a function error (Invoke answers FunctionError with
// {"errorType","errorMessage",...}) fails the Task with Error = errorType (the Java exception's class
// name, what Retry/Catch ErrorEquals name), or Lambda.Unknown when there is none (a timeout, a crash),
// and Cause = that JSON object as a string. An error of the Invoke API itself fails the Task with
// Lambda.<error code> (Lambda.TooManyRequestsException, Lambda.ServiceException, ...); a request that
// got no answer with Lambda.SdkClientException. The SDK client does not retry on its own: the
// definition's Retry is what retries. A result larger than 256 KiB fails with States.DataLimitExceeded.
import { readFileSync } from 'node:fs';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { StateMachine } from 'aws-local-stepfunctions';

/** Step Functions' limit on a state's input or output (UTF-8 bytes). */
const MAX_PAYLOAD_BYTES = 256 * 1024;

function usage(message) {
  process.stderr.write(`run-execution: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = { waitOverrides: {}, retryOverrides: {}, input: '{}', substitutions: '{}', waitScale: 1 };
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
      case '--wait-scale':
        args.waitScale = Number(value);
        if (!Number.isFinite(args.waitScale) || args.waitScale <= 0) usage(`--wait-scale needs a positive number, got ${value}`);
        break;
      case '--wait-override':
      case '--retry-override': {
        const eq = value.lastIndexOf('=');
        const ms = Number(value.slice(eq + 1));
        if (eq < 1 || !Number.isFinite(ms) || ms < 0) usage(`${flag} needs State=milliseconds, got ${value}`);
        (flag === '--wait-override' ? args.waitOverrides : args.retryOverrides)[value.slice(0, eq)] = ms;
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

function requireLambdaArn(resource) {
  // arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]
  const parts = resource.split(':');
  if (parts.length < 7 || parts[2] !== 'lambda' || parts[5] !== 'function') {
    throw new TaskError('States.Runtime', `Task resource ${resource} is not a Lambda function ARN`);
  }
  return resource;
}

function lambdaBridge(client, resource) {
  const functionArn = requireLambdaArn(resource);
  const decoder = new TextDecoder();
  return async (input) => {
    let response;
    try {
      response = await client.send(new InvokeCommand({ FunctionName: functionArn, Payload: JSON.stringify(input) }));
    } catch (e) {
      if (e.$metadata?.httpStatusCode) throw new TaskError(`Lambda.${e.name}`, e.message);
      throw new TaskError('Lambda.SdkClientException', `Lambda unreachable: ${e.cause?.message ?? e.message}`);
    }
    const text = response.Payload ? decoder.decode(response.Payload) : '';
    if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw new TaskError('States.DataLimitExceeded',
        `The result of ${functionArn} is ${Buffer.byteLength(text, 'utf8')} bytes, over Step Functions' 262144`);
    }
    let payload;
    try {
      payload = text.length === 0 ? null : JSON.parse(text);
    } catch {
      throw new TaskError('Lambda.ServiceException', `${functionArn} returned a payload that is not JSON: ${text.slice(0, 200)}`);
    }
    if (response.FunctionError) {
      throw new TaskError(payload?.errorType ?? 'Lambda.Unknown', JSON.stringify(payload));
    }
    return payload;
  };
}

/** The value at a simple reference path ($.a.b.c), or undefined. */
function valueAt(input, path) {
  let value = input;
  for (const key of path.replace(/^\$\.?/, '').split('.').filter((k) => k.length > 0)) {
    value = value == null ? undefined : value[key];
  }
  return value;
}

/**
 * Wait states with SecondsPath (or Seconds) and no fixed override become local steps of the same
 * name that sleep seconds x scale and return their input; returns their names.
 */
function compressWaits(states, waitOverrides, scale, handlers) {
  const compressed = new Set();
  for (const [name, state] of Object.entries(states)) {
    if (state.Type !== 'Wait' || name in waitOverrides || (state.SecondsPath === undefined && state.Seconds === undefined)) {
      continue;
    }
    const { SecondsPath: secondsPath, Seconds: fixed, Next: next, End: end, Comment: comment } = state;
    states[name] = { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:rehearsal-wait', Comment: comment,
      ...(end ? { End: true } : { Next: next }) };
    handlers[name] = async (input) => {
      const seconds = secondsPath === undefined ? fixed : valueAt(input, secondsPath);
      if (!Number.isInteger(seconds) || seconds < 0) {
        throw new TaskError('States.Runtime', `The SecondsPath parameter of ${name} does not reference a non-negative integer: ${JSON.stringify(seconds)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000 * scale));
      return input;
    };
    compressed.add(name);
  }
  return compressed;
}

function emit(event) {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** The library's event, flattened to what the driver reads. */
function toLine(event, compressedWaits) {
  const line = { type: event.type, timestamp: event.timestamp };
  if (event.state) {
    line.state = event.state.name;
    line.stateType = compressedWaits.has(event.state.name) ? 'Wait' : event.state.type;
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
  const client = new LambdaClient({ endpoint: args.lambdaEndpoint, maxAttempts: 1 });
  const taskResourceLocalHandlers = {};
  const compressedWaits = new Set();
  const collect = (states) => {
    compressWaits(states, args.waitOverrides, args.waitScale, taskResourceLocalHandlers)
      .forEach((name) => compressedWaits.add(name));
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' && !compressedWaits.has(name)) {
        taskResourceLocalHandlers[name] = lambdaBridge(client, state.Resource);
      }
      if (state.Type === 'Parallel') state.Branches.forEach((b) => collect(b.States));
      if (state.Type === 'Map') collect((state.ItemProcessor ?? state.Iterator).States);
    }
  };
  collect(definition.States);

  const name = args.executionArn.split(':').pop();
  const machine = new StateMachine(definition, { validationOptions: { checkArn: true, checkPaths: true } });
  const execution = machine.run(input, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides: args.waitOverrides,
      retryIntervalOverrides: args.retryOverrides },
    context: {
      Execution: { Id: args.executionArn, Name: name, RoleArn: 'arn:aws:iam::123456789012:role/rehearsal' },
      StateMachine: { Id: args.stateMachineArn, Name: args.stateMachineArn.split(':').pop() },
    },
  });
  const logging = (async () => {
    for await (const event of execution.eventLogs) emit(toLine(event, compressedWaits));
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
