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
//                              Task TimeoutSeconds and HeartbeatSeconds (and their paths) are scaled alike.
//   --retry-override State=ms  (repeatable) the library's Retry interval override of a Task state.
//   --check FILE               prints the ASL problems of FILE (fields the engine does not run, see
//                              asl-check.mjs and asl-support.json), one per line; exit 0 when none, 3 else.
//
// Before it runs anything the runner refuses (exit 2, naming state and field) a definition with a
// field asl-support.json does not list. Task states: see task-states.mjs (Lambda ARNs,
// arn:aws:states:::lambda:invoke and its .waitForTaskToken callback pattern, timeouts, heartbeats).
//
// Output: one JSON object per line on stdout, as the execution runs: the library's event log
// (ExecutionStarted, StateEntered, StateExited, StateFailed, StateRetried, StateCaught,
// ExecutionSucceeded / ExecutionFailed) with the state's name and type, the output on StateExited,
// Error/Cause on failures, attempt on StateRetried. A .waitForTaskToken Task adds, per attempt:
//   {"type":"TaskScheduled","state","attempt","token","resourceType":"lambda",
//    "resource":"invoke.waitForTaskToken","parameters",timeoutInSeconds?,heartbeatInSeconds?}
//        the token is issued (attempt 0 first, +1 per retry); it is open from this line on;
//   {"type":"TaskSubmitted","state",...}           the function returned; the task waits for its callback;
//   {"type":"TaskSucceeded","state","token","output"} / {"type":"TaskFailed","state","token","error","cause"} /
//   {"type":"TaskTimedOut","state","token","error":"States.Timeout"|"States.HeartbeatTimeout"}
//        the token is closed: every later callback for it is too late (the front answers TaskTimedOut).
// Its StateFailed line carries "taskEvents": true (its TaskFailed / TaskTimedOut line said it already).
//
// Input: callbacks, one JSON object per line on stdin, written by the front after it checked them
// (SendTaskSuccess output is JSON of at most 256 KiB, the token is one this runner issued and still open):
//   {"token":"...","action":"success","output":<JSON value>}
//   {"token":"...","action":"failure","error":"...","cause":"..."}   (error/cause may be absent)
//   {"token":"...","action":"heartbeat"}
// A callback for a token closed meanwhile is dropped. The runner exits when the execution ends; the
// front's closing stdin does not stop it. Exit code: 0 succeeded, 1 failed, 2 usage or definition error.
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { StateMachine } from 'aws-local-stepfunctions';
import { problems } from './asl-check.mjs';
import { TaskError, taskState, valueAt } from './task-states.mjs';
import { TaskTokens } from './task-tokens.mjs';

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
      case '--check': args.check = value; break;
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
function toLine(event, compressedWaits, taskEventStates) {
  const line = { type: event.type, timestamp: event.timestamp };
  if (event.state) {
    line.state = event.state.name;
    line.stateType = compressedWaits.has(event.state.name) ? 'Wait' : event.state.type;
    if (event.type === 'StateExited') line.output = event.state.output;
    if (event.type === 'StateFailed' && taskEventStates.has(event.state.name)) line.taskEvents = true;
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

/** --check FILE: the definition's problems, with every ${...} standing for a Lambda function ARN. */
function check(file) {
  const text = readFileSync(file, 'utf8').replace(/\$\{[A-Za-z0-9_]+\}/g, 'arn:aws:lambda:us-east-1:123456789012:function:substituted');
  const found = problems(JSON.parse(text));
  found.forEach((p) => process.stdout.write(`${p}\n`));
  process.exit(found.length === 0 ? 0 : 3);
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
  const refused = problems(definition);
  if (refused.length > 0) usage(`the definition uses ASL the rehearsal's engine does not run:\n  ${refused.join('\n  ')}`);

  const tokens = new TaskTokens(emit);
  const attempts = new Map();
  const ctx = { client: new LambdaClient({ endpoint: args.lambdaEndpoint, maxAttempts: 1 }), waitScale: args.waitScale,
    tokens, emit, sdkClients: {}, attemptOf: (name) => attempts.get(name) ?? 0, placeholder: `rehearsal-task-token-${randomUUID()}` };
  const taskResourceLocalHandlers = {};
  const compressedWaits = new Set();
  const taskEventStates = new Set();
  const prepare = (states) => {
    compressWaits(states, args.waitOverrides, args.waitScale, taskResourceLocalHandlers)
      .forEach((name) => compressedWaits.add(name));
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' && !compressedWaits.has(name)) {
        const { library, handler, emitsTaskEvents } = taskState(name, state, ctx);
        states[name] = library;
        taskResourceLocalHandlers[name] = handler;
        if (emitsTaskEvents) taskEventStates.add(name);
      }
      if (state.Type === 'Parallel') state.Branches.forEach((b) => prepare(b.States));
      if (state.Type === 'Map') prepare((state.ItemProcessor ?? state.Iterator).States);
    }
  };
  prepare(definition.States);

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
  const callbacks = tokens.listen(process.stdin);
  const logging = (async () => {
    for await (const event of execution.eventLogs) {
      if (event.state && event.type === 'StateEntered') attempts.set(event.state.name, 0);
      if (event.state && event.type === 'StateRetried') attempts.set(event.state.name, (attempts.get(event.state.name) ?? 0) + 1);
      emit(toLine(event, compressedWaits, taskEventStates));
    }
  })();
  let exitCode = 0;
  try {
    await execution.result;
  } catch {
    exitCode = 1; // the ExecutionFailed / ExecutionTimeout event carries the details
  }
  await logging;
  callbacks.close();
  // Tokens still open die with the execution; open timers (a timed-out attempt's) must not keep it alive.
  process.exit(exitCode);
}

const checkAt = process.argv.indexOf('--check');
if (checkAt >= 0) {
  check(process.argv[checkAt + 1]);
} else {
  main().catch((e) => {
    process.stderr.write(`run-execution: ${e.stack ?? e}\n`);
    process.exit(2);
  });
}
