// task-states.mjs: every Task state of a definition as the rehearsal runs it, a local handler of
// aws-local-stepfunctions plus the state the library is handed in place of the original.
//
// Resources (Step Functions developer guide, "Invoke an AWS Lambda function with Step Functions"):
//  - a Lambda function ARN: Invoke with the effective input; the result is the function's payload.
//  - arn:aws:states:::lambda:invoke: Invoke with Parameters.FunctionName / Payload / Qualifier; the
//    result is the API's answer wrapped as Step Functions wraps it: {ExecutedVersion, Payload,
//    SdkHttpMetadata, SdkResponseMetadata, StatusCode}.
//  - arn:aws:states:::lambda:invoke.waitForTaskToken: the same Invoke, with $$.Task.Token in the
//    Payload; the function's own result is dropped and the task waits for SendTaskSuccess (its output
//    is the result), SendTaskFailure (the task fails with its error and cause) or a timeout.
//  - arn:aws:states:::aws-sdk:<service>:<action> (developer guide, "AWS SDK service integrations"): the
//    API call with the effective input as its parameters (PascalCase, as the API names them), signed
//    with the state machine role's credentials, sent to AWS_ENDPOINT_URL_<SERVICE>; the result is the
//    API's answer without response metadata. Only the actions asl-support.json lists (sdkResources).
//    An API error fails the Task with <Service>.<Service>Exception for a service whose SDK models no
//    error of its own (EC2: every error is Ec2.Ec2Exception, as LocalStack records AWS answering and
//    moto's parser does), the cause naming the code and message; no answer <Service>.SdkClientException.
// Errors: a function error fails the Task with Error = errorType (Lambda.Unknown without one), Cause =
// the error object as JSON; an Invoke API error with Lambda.<code>; no answer Lambda.SdkClientException;
// a result over 256 KiB States.DataLimitExceeded ("Handle Lambda service exceptions", "Error handling").
//
// Timeouts ("Task workflow state"): TimeoutSeconds / TimeoutSecondsPath bound each attempt from the
// moment it starts (the library's own timer raises its States.Timeout, which States.TaskFailed does
// not match, as the developer guide says); without one there is none: AWS's default is 99999999 s,
// not the library's (and the ASL specification's) 60 s, which would cut a callback task or a slow
// Lambda short. HeartbeatSeconds / HeartbeatSecondsPath: States.HeartbeatTimeout when no
// SendTaskHeartbeat (or completion) comes for that long. Both are multiplied by --wait-scale, like
// the Wait states, because what a callback task waits for (an SSM command) runs in rehearsal time.
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { CALLBACK_RESOURCE, INVOKE_RESOURCE, SUPPORT, isLambdaArn } from './asl-check.mjs';

/** The SDK package (loaded on first use: it is large) and the error-name stem of each service the integrations call. */
const SDK_SERVICES = { ec2: { load: () => import('@aws-sdk/client-ec2'), client: 'EC2Client', errorName: 'Ec2',
  endpointVariable: 'AWS_ENDPOINT_URL_EC2' } };

/** Step Functions' limit on a state's input or output (UTF-8 bytes). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** The longest a Node timer can wait (2^31-1 ms): stands for AWS's 99999999 s default. */
const NO_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);
/** Where the engine puts the state input into Parameters when a *SecondsPath needs it. */
const STATE_INPUT_KEY = 'rehearsalStateInput-4c1d';

/** An error whose name is what Retry/Catch match (ErrorEquals), like a Lambda function error in AWS. */
export class TaskError extends Error {
  constructor(name, cause) {
    super(cause);
    this.name = name;
  }
}

/** The value at a simple reference path ($.a.b.c), or undefined. */
export function valueAt(input, path) {
  let value = input;
  for (const key of path.replace(/^\$\.?/, '').split('.').filter((k) => k.length > 0)) {
    value = value == null ? undefined : value[key];
  }
  return value;
}

/** Seconds from a field or a path, as AWS seconds; undefined when the state sets neither. */
function seconds(state, field, stateInput) {
  if (state[field] !== undefined) return state[field];
  const path = state[`${field}Path`];
  if (path === undefined) return undefined;
  const value = valueAt(stateInput, path);
  if (!Number.isInteger(value) || value < 1) {
    throw new TaskError('States.Runtime', `The ${field}Path parameter does not reference a positive integer: ${JSON.stringify(value)}`);
  }
  return value;
}

/** Replaces "key.$": "$$.Task.Token" by "key": placeholder, everywhere in a Parameters template. */
function withTokenPlaceholder(template, placeholder) {
  if (Array.isArray(template)) return template.map((v) => withTokenPlaceholder(v, placeholder));
  if (template === null || typeof template !== 'object') return template;
  const out = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === '$$.Task.Token') out[key.slice(0, -2)] = placeholder;
    else if (key.endsWith('.$') && typeof value === 'string' && value.includes('$$.Task')) {
      throw new TaskError('States.Runtime', `${key}: the engine substitutes $$.Task.Token only as a whole path`);
    } else out[key] = withTokenPlaceholder(value, placeholder);
  }
  return out;
}

function replacePlaceholder(value, placeholder, token) {
  if (value === placeholder) return token;
  if (Array.isArray(value)) return value.map((v) => replacePlaceholder(v, placeholder, token));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replacePlaceholder(v, placeholder, token)]));
}

/** Invokes a function; returns { payload, executedVersion, requestId } or throws the Task's error. */
async function invoke(client, functionName, payload, qualifier) {
  let response;
  try {
    response = await client.send(new InvokeCommand({ FunctionName: functionName, Qualifier: qualifier,
      Payload: payload === undefined ? undefined : JSON.stringify(payload) }));
  } catch (e) {
    if (e.$metadata?.httpStatusCode) throw new TaskError(`Lambda.${e.name}`, e.message);
    throw new TaskError('Lambda.SdkClientException', `Lambda unreachable: ${e.cause?.message ?? e.message}`);
  }
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new TaskError('States.DataLimitExceeded', `The result of ${functionName} is ${bytes} bytes, over Step Functions' 262144`);
  }
  let parsed;
  try {
    parsed = text.length === 0 ? null : JSON.parse(text);
  } catch {
    throw new TaskError('Lambda.ServiceException', `${functionName} returned a payload that is not JSON: ${text.slice(0, 200)}`);
  }
  if (response.FunctionError) throw new TaskError(parsed?.errorType ?? 'Lambda.Unknown', JSON.stringify(parsed));
  return { payload: parsed, executedVersion: response.ExecutedVersion ?? '$LATEST',
    requestId: response.$metadata?.requestId ?? '', statusCode: response.StatusCode ?? 200 };
}

/** The result of arn:aws:states:::lambda:invoke, as Step Functions wraps the Invoke answer. */
function wrapped(answer) {
  const headers = { 'Content-Type': 'application/json', 'X-Amz-Executed-Version': answer.executedVersion,
    'x-amzn-RequestId': answer.requestId };
  return { ExecutedVersion: answer.executedVersion, Payload: answer.payload,
    SdkHttpMetadata: { AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers, HttpStatusCode: answer.statusCode },
    SdkResponseMetadata: { RequestId: answer.requestId }, StatusCode: answer.statusCode };
}

/** Calls an AWS SDK integration's API action; returns its answer or throws the Task's error. */
async function callSdk(resource, parameters, clients) {
  const [service, action] = resource.split(':').slice(-2);
  const known = SDK_SERVICES[service];
  const module = known === undefined ? undefined : await known.load();
  const Command = module?.[`${action[0].toUpperCase()}${action.slice(1)}Command`];
  if (!Command) throw new TaskError('States.Runtime', `${resource}: no such AWS SDK integration here`);
  clients[service] ??= new module[known.client]({ endpoint: process.env[known.endpointVariable], maxAttempts: 1 });
  let answer;
  try {
    answer = await clients[service].send(new Command(parameters ?? {}));
  } catch (e) {
    const status = e.$metadata?.httpStatusCode;
    if (!status) throw new TaskError(`${known.errorName}.SdkClientException`, `${service} unreachable: ${e.cause?.message ?? e.message}`);
    throw new TaskError(`${known.errorName}.${known.errorName}Exception`,
      `${e.message} (Service: ${known.errorName}, Status Code: ${status}, Error Code: ${e.name}, Request ID: ${e.$metadata?.requestId ?? ''})`);
  }
  const { $metadata, ...result } = answer;
  const text = JSON.stringify(result);
  if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
    throw new TaskError('States.DataLimitExceeded', `The result of ${resource} is over Step Functions' 262144 bytes`);
  }
  return JSON.parse(text);
}

/**
 * Prepares one Task state: returns the state to hand the library (its timeouts replaced by a
 * TimeoutSeconds the handler sets per attempt, the task token by a placeholder) and the handler.
 *
 * @param ctx { client, waitScale, tokens, emit, attemptOf(name), placeholder }
 */
export function taskState(name, state, ctx) {
  const resource = state.Resource;
  const kind = resource === CALLBACK_RESOURCE ? 'callback' : resource === INVOKE_RESOURCE ? 'invoke'
    : resource in SUPPORT.sdkResources ? 'sdk' : 'function';
  if (kind === 'function' && !isLambdaArn(resource)) throw new TaskError('States.Runtime', `${name}: ${resource} is not a Lambda function ARN`);
  const needsStateInput = state.TimeoutSecondsPath !== undefined || state.HeartbeatSecondsPath !== undefined;
  const { TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds, HeartbeatSecondsPath, ...rest } = state;
  const library = { ...rest };
  if (state.Parameters !== undefined) {
    library.Parameters = withTokenPlaceholder(state.Parameters, ctx.placeholder);
    if (needsStateInput) library.Parameters[`${STATE_INPUT_KEY}.$`] = '$';
  }
  let attemptTimeout = NO_TIMEOUT_SECONDS;
  // The library reads TimeoutSeconds right after it called the handler, in the same tick.
  Object.defineProperty(library, 'TimeoutSeconds', { enumerable: true, get: () => attemptTimeout });

  const handler = async (effectiveInput) => {
    attemptTimeout = NO_TIMEOUT_SECONDS;
    let input = effectiveInput;
    let stateInput = effectiveInput;
    if (state.Parameters !== undefined && needsStateInput) {
      const { [STATE_INPUT_KEY]: given, ...params } = effectiveInput;
      input = params;
      stateInput = given;
    }
    const timeout = seconds(state, 'TimeoutSeconds', stateInput);
    const heartbeat = seconds(state, 'HeartbeatSeconds', stateInput);
    if (timeout !== undefined) attemptTimeout = Math.max(timeout * ctx.waitScale, 0.001);
    // The deadline timer must be set before the library's (same delay, set when this returns its
    // promise), so it fires first and the token is dead before the attempt fails with States.Timeout.
    const expiry = { fire: () => {} };
    const deadline = kind === 'callback' && timeout !== undefined
      ? setTimeout(() => expiry.fire(), attemptTimeout * 1000) : undefined;
    try {
      // After the library's StateEntered / StateRetried lines are out, so the lines stay in order.
      await new Promise((resolve) => setImmediate(resolve));
      if (kind === 'function') return (await invoke(ctx.client, resource, input)).payload;
      if (kind === 'sdk') return await callSdk(resource, input, ctx.sdkClients);
      if (kind === 'invoke') return wrapped(await invoke(ctx.client, input.FunctionName, input.Payload, input.Qualifier));
      return await callback(name, input, { timeout, heartbeat, expiry }, ctx);
    } finally {
      clearTimeout(deadline);
    }
  };
  return { library, handler, emitsTaskEvents: kind === 'callback' };
}

async function callback(name, input, limits, ctx) {
  const { tokens, emit, waitScale } = ctx;
  const closed = (type, fields) => ({ state: name, resourceType: 'lambda', resource: 'invoke.waitForTaskToken', ...fields, type });
  let heartbeatTimer;
  let rejectHeartbeat;
  const heartbeatLost = new Promise((_, reject) => { rejectHeartbeat = reject; });
  heartbeatLost.catch(() => {});
  const armHeartbeat = () => {
    if (limits.heartbeat === undefined) return;
    clearTimeout(heartbeatTimer);
    heartbeatTimer = setTimeout(() => {
      if (tokens.close(token, 'TaskTimedOut', closed('TaskTimedOut', { error: 'States.HeartbeatTimeout', cause: '' }))) {
        rejectHeartbeat(new TaskError('States.HeartbeatTimeout', ''));
      }
    }, Math.max(limits.heartbeat * waitScale, 0.001) * 1000);
  };
  const { token, result } = tokens.issue(armHeartbeat);
  const payload = replacePlaceholder(input.Payload, ctx.placeholder, token);
  emit({ type: 'TaskScheduled', timestamp: Date.now(), state: name, attempt: ctx.attemptOf(name), token,
    resourceType: 'lambda', resource: 'invoke.waitForTaskToken',
    parameters: { ...input, Payload: payload }, timeoutInSeconds: limits.timeout, heartbeatInSeconds: limits.heartbeat });
  // Only closes the token: the library's own timer, due just after, fails the attempt with the
  // States.Timeout that States.TaskFailed does not match.
  limits.expiry.fire = () => {
    clearTimeout(heartbeatTimer);
    tokens.close(token, 'TaskTimedOut', closed('TaskTimedOut', { error: 'States.Timeout', cause: '' }));
  };
  armHeartbeat();
  try {
    try {
      await invoke(ctx.client, input.FunctionName, payload, input.Qualifier);
    } catch (e) {
      tokens.close(token, 'TaskFailed', closed('TaskFailed', { error: e.name, cause: e.message }));
      throw e;
    }
    if (tokens.isOpen(token)) emit(closed('TaskSubmitted', { timestamp: Date.now() }));
    const answer = await Promise.race([result, heartbeatLost]);
    if (answer.error !== undefined || answer.cause !== undefined || !('output' in answer)) {
      // SendTaskFailure without an error: the error name is empty, so only States.ALL (and
      // States.TaskFailed) catch it (AWS's behaviour as LocalStack's recorded snapshots show it).
      tokens.close(token, 'TaskFailed', closed('TaskFailed', { error: answer.error ?? '', cause: answer.cause ?? '' }));
      throw new TaskError(answer.error ?? '', answer.cause ?? '');
    }
    tokens.close(token, 'TaskSucceeded', closed('TaskSucceeded', { output: answer.output }));
    return answer.output;
  } finally {
    clearTimeout(heartbeatTimer);
  }
}
