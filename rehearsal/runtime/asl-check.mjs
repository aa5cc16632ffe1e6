// asl-check.mjs: refuses a definition that uses ASL the rehearsal's engine would not run as Step
// Functions does. The list of what it runs lives next to it, in asl-support.json (its one home);
// run-execution.mjs checks every definition before it runs, and `run-execution.mjs --check FILE`
// prints the problems of a file (AslFeaturesTest runs it on the product's definitions).
import { readFileSync } from 'node:fs';

export const SUPPORT = JSON.parse(readFileSync(new URL('./asl-support.json', import.meta.url), 'utf8'));

export const CALLBACK_RESOURCE = 'arn:aws:states:::lambda:invoke.waitForTaskToken';
export const INVOKE_RESOURCE = 'arn:aws:states:::lambda:invoke';
export const TASK_TOKEN_PATH = '$$.Task.Token';

/** True for arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]. */
export function isLambdaArn(resource) {
  const parts = String(resource).split(':');
  return parts.length >= 7 && parts.length <= 8 && parts[0] === 'arn' && parts[2] === 'lambda' && parts[5] === 'function';
}

/** Every problem of the definition as "State: field: reason" (the top level is named "(top level)"). */
export function problems(definition) {
  const found = [];
  const fieldsOf = (where, object, allowed) => {
    for (const field of Object.keys(object)) {
      if (field === 'QueryLanguage' && object[field] === 'JSONPath') continue; // the default, what runs here
      if (field in SUPPORT.rejected) {
        found.push(`${where}: ${field}: ${SUPPORT.rejected[field]}`);
      } else if (!allowed.includes(field)) {
        found.push(`${where}: ${field}: not implemented by the rehearsal's engine (rehearsal/runtime/asl-support.json)`);
      }
    }
  };
  fieldsOf('(top level)', definition, SUPPORT.topLevel);
  checkStates(definition.States ?? {}, found, fieldsOf);
  return found;
}

function checkStates(states, found, fieldsOf) {
  for (const [name, state] of Object.entries(states)) {
    const allowed = SUPPORT.states[state.Type];
    if (!allowed) {
      found.push(`${name}: Type: unknown state type ${JSON.stringify(state.Type)}`);
      continue;
    }
    fieldsOf(name, state, [...SUPPORT.common, ...allowed]);
    (state.Choices ?? []).forEach((rule, i) => checkChoiceRule(`${name}: Choices[${i}]`, rule, fieldsOf));
    (state.Retry ?? []).forEach((retrier, i) => fieldsOf(`${name}: Retry[${i}]`, retrier, SUPPORT.retrier));
    (state.Catch ?? []).forEach((catcher, i) => fieldsOf(`${name}: Catch[${i}]`, catcher, SUPPORT.catcher));
    if (state.Type === 'Task') checkTask(name, state, found);
    else if (mentionsTaskToken(state.Parameters)) found.push(`${name}: Parameters: ${TASK_TOKEN_PATH} exists only in a .waitForTaskToken Task`);
    if (state.Type === 'Parallel') (state.Branches ?? []).forEach((b) => checkStates(b.States ?? {}, found, fieldsOf));
    if (state.Type === 'Map') checkStates((state.ItemProcessor ?? state.Iterator ?? {}).States ?? {}, found, fieldsOf);
  }
}

function checkChoiceRule(where, rule, fieldsOf) {
  fieldsOf(where, rule, SUPPORT.choiceRule);
  (rule.And ?? []).forEach((r, i) => checkChoiceRule(`${where}.And[${i}]`, r, fieldsOf));
  (rule.Or ?? []).forEach((r, i) => checkChoiceRule(`${where}.Or[${i}]`, r, fieldsOf));
  if (rule.Not) checkChoiceRule(`${where}.Not`, rule.Not, fieldsOf);
}

/**
 * A Task's resource, parameters and timeouts, as Step Functions validates them (developer guide,
 * "Task workflow state": TimeoutSeconds and TimeoutSecondsPath exclude each other, as do
 * HeartbeatSeconds and HeartbeatSecondsPath; HeartbeatSeconds must be smaller than TimeoutSeconds).
 */
function checkTask(name, state, found) {
  const integration = SUPPORT.taskResources[state.Resource];
  const sdkParameters = SUPPORT.sdkResources[state.Resource];
  const callback = state.Resource === CALLBACK_RESOURCE;
  if (!integration && !sdkParameters && !isLambdaArn(state.Resource)) {
    found.push(`${name}: Resource: ${state.Resource} is neither a Lambda function ARN nor one of ${[...Object.keys(SUPPORT.taskResources), ...Object.keys(SUPPORT.sdkResources)].join(', ')}`);
  }
  if (sdkParameters) {
    for (const key of Object.keys(state.Parameters ?? {})) {
      if (!sdkParameters.includes(key.replace(/\.\$$/, ''))) found.push(`${name}: Parameters.${key}: not a parameter of ${state.Resource.split(':').slice(-2).join(':')}`);
    }
  }
  if (integration) {
    const parameters = state.Parameters ?? {};
    for (const key of Object.keys(parameters)) {
      if (!integration.includes(key.replace(/\.\$$/, ''))) found.push(`${name}: Parameters.${key}: not a parameter the engine passes to Lambda Invoke`);
    }
    if (!('FunctionName' in parameters) && !('FunctionName.$' in parameters)) found.push(`${name}: Parameters: FunctionName is required`);
  }
  if (!callback) {
    SUPPORT.callbackOnly.filter((f) => f in state).forEach((f) => found.push(`${name}: ${f}: honoured for ${CALLBACK_RESOURCE} only`));
    if (mentionsTaskToken(state.Parameters)) found.push(`${name}: Parameters: ${TASK_TOKEN_PATH} exists only in a .waitForTaskToken Task`);
  } else if (!mentionsTaskToken(state.Parameters)) {
    found.push(`${name}: Parameters: a .waitForTaskToken Task must pass ${TASK_TOKEN_PATH}`);
  }
  if ('TimeoutSeconds' in state && 'TimeoutSecondsPath' in state) found.push(`${name}: TimeoutSecondsPath: excludes TimeoutSeconds`);
  if ('HeartbeatSeconds' in state && 'HeartbeatSecondsPath' in state) found.push(`${name}: HeartbeatSecondsPath: excludes HeartbeatSeconds`);
  if (Number.isInteger(state.HeartbeatSeconds) && Number.isInteger(state.TimeoutSeconds) && state.HeartbeatSeconds >= state.TimeoutSeconds) {
    found.push(`${name}: HeartbeatSeconds: must be smaller than TimeoutSeconds`);
  }
  if ((state.TimeoutSecondsPath || state.HeartbeatSecondsPath) && 'InputPath' in state) {
    found.push(`${name}: InputPath: with a TimeoutSecondsPath/HeartbeatSecondsPath the engine cannot tell the state input from the effective input`);
  }
  for (const field of ['TimeoutSeconds', 'HeartbeatSeconds']) {
    if (field in state && !(Number.isInteger(state[field]) && state[field] > 0)) found.push(`${name}: ${field}: must be a positive integer`);
  }
}

/** Whether a Parameters template references the task token anywhere (a "key.$" whose path or intrinsic names it). */
export function mentionsTaskToken(template) {
  if (template === null || typeof template !== 'object') return false;
  return Object.entries(template).some(([key, value]) => (key.endsWith('.$') && typeof value === 'string' && value.includes('$$.Task'))
    || mentionsTaskToken(value));
}
