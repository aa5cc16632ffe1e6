#!/usr/bin/env python3
"""run-execution-moto.py: runs ONE execution with moto's Step Functions interpreter (moto 5.2,
moto/stepfunctions/parser, derived from LocalStack's), a second engine independent of
aws-local-stepfunctions. PROTOTYPE (issue 14 item 6): same options and stdout/stdin protocol as
run-execution.mjs (see its header), so the front can start either.

How it bridges moto to the rehearsal:
  - moto's parser backend runs in this process (no moto server, no mock_aws): one state machine,
    one StartExecution (a second one in the same backend deep-copies the running execution and
    fails with "cannot pickle RLock", which one execution per process avoids);
  - every Lambda call of the interpreter (direct ARN resources and arn:aws:states:::lambda:invoke,
    .waitForTaskToken included) goes to --lambda-endpoint with the role credentials of the
    environment: moto's boto_client_for is replaced for service "lambda"; the EC2 calls of the
    aws-sdk:ec2 integrations go to AWS_ENDPOINT_URL_EC2 with the same credentials;
  - compressed time: Wait states wait seconds x --wait-scale, Task TimeoutSeconds / HeartbeatSeconds
    (and paths) are scaled alike (AWS's 99999999 s default is left alone), Retry intervals are
    replaced by --retry-override when given, else real;
  - the execution's history (moto's GetExecutionHistory) becomes the runner's event lines:
    ExecutionStarted, StateEntered / StateExited (stateType from the event type), StateFailed /
    StateCaught are not in AWS's history and are not printed; TaskScheduled lines carry the task
    token (read from moto's context object), TaskSucceeded / TaskFailed / TaskTimedOut name it;
  - stdin callbacks go to moto's SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat.
"""
import argparse
import datetime
import json
import os
import re
import sys
import threading
import time

import boto3
from botocore.config import Config

from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.common.timeouts import heartbeat as heartbeat_module
from moto.stepfunctions.parser.asl.component.common.timeouts import timeout as timeout_module
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk as aws_sdk_module,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function import wait_function
from moto.stepfunctions.parser.asl.eval import states as states_module
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

TERMINAL = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted"}
TOKEN_CLOSERS = {"TaskSucceeded", "TaskFailed", "TaskTimedOut"}


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--definition", required=True)
    p.add_argument("--substitutions", default="{}")
    p.add_argument("--lambda-endpoint", required=True)
    p.add_argument("--execution-arn", required=True)
    p.add_argument("--state-machine-arn", required=True)
    p.add_argument("--input", default="{}")
    p.add_argument("--wait-scale", type=float, default=1.0)
    p.add_argument("--wait-override", action="append", default=[])
    p.add_argument("--retry-override", action="append", default=[])
    return p.parse_args()


def emit(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def substitute(text, substitutions):
    replaced = re.sub(r"\$\{([A-Za-z0-9_]+)\}", lambda m: substitutions.get(m.group(1), m.group(0)), text)
    left = re.findall(r"\$\{[A-Za-z0-9_]+\}", replaced)
    if left:
        sys.stderr.write(f"run-execution-moto: substitution variables without a value: {sorted(set(left))}\n")
        sys.exit(2)
    return replaced


def patch_moto(args, issued_tokens):
    """Lambda to the rehearsal, time compressed, tokens recorded as they are issued."""
    def client_for(region, service, state_credentials=None):
        if service != "lambda":
            raise RuntimeError(f"the moto runner bridges Lambda only, not {service}")
        return boto3.client("lambda", endpoint_url=args.lambda_endpoint, region_name=region,
                            config=Config(retries={"total_max_attempts": 1}, read_timeout=900, connect_timeout=10))
    lambda_eval_utils.boto_client_for = client_for

    def sdk_client_for(region, service, state_credentials=None):
        if service != "ec2":
            raise RuntimeError(f"the moto runner bridges the aws-sdk integrations of EC2 only, not {service}")
        return boto3.client("ec2", endpoint_url=os.environ["AWS_ENDPOINT_URL_EC2"], region_name=region,
                            config=Config(retries={"total_max_attempts": 1}, connect_timeout=10))
    aws_sdk_module.boto_client_for = sdk_client_for

    scale = args.wait_scale

    def scaled_wait(self, env, wait_seconds):
        if wait_seconds > 0:
            env.program_state_event.wait(wait_seconds * scale)
    wait_function.WaitFunction._wait_interval = scaled_wait

    def scaled(original):
        def body(self, env):
            original(self, env)
            seconds = env.stack.pop()
            env.stack.append(seconds if seconds >= timeout_module.TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS
                             else seconds * scale)
        return body
    timeout_module.Timeout._eval_body = scaled(timeout_module.Timeout._eval_body)
    heartbeat_module.Heartbeat._eval_body = scaled(heartbeat_module.Heartbeat._eval_body)

    overrides = [int(v.rsplit("=", 1)[1]) for v in args.retry_override]
    if overrides:
        class RetrySleep:
            @staticmethod
            def sleep(_seconds):
                time.sleep(min(overrides) / 1000.0)
        retrier_decl.time = RetrySleep

    original_update = states_module.ContextObject.update_task_token

    def update_task_token(self):
        token = original_update(self)
        issued_tokens.append(token)
        return token
    states_module.ContextObject.update_task_token = update_task_token


def history_lines(event, issued_tokens, open_tokens):
    """moto's history event as the runner's line(s)."""
    kind = event["type"]
    stamp = event["timestamp"]
    ts = int((stamp if hasattr(stamp, "timestamp") else datetime.datetime.fromisoformat(str(stamp))).timestamp() * 1000)
    if kind == "ExecutionStarted":
        return [{"type": kind, "timestamp": ts,
                 "input": json.loads(event["executionStartedEventDetails"].get("input", "{}"))}]
    if kind == "ExecutionSucceeded":
        return [{"type": kind, "timestamp": ts,
                 "output": json.loads(event["executionSucceededEventDetails"].get("output", "null"))}]
    if kind == "ExecutionFailed":
        d = event.get("executionFailedEventDetails", {})
        return [{"type": kind, "timestamp": ts, "error": d.get("error"), "cause": d.get("cause")}]
    if kind in ("ExecutionTimedOut", "ExecutionAborted"):
        return [{"type": "ExecutionTimeout" if kind == "ExecutionTimedOut" else kind, "timestamp": ts}]
    if kind.endswith("StateEntered"):
        d = event["stateEnteredEventDetails"]
        return [{"type": "StateEntered", "timestamp": ts, "state": d["name"], "stateType": kind[:-len("StateEntered")]}]
    if kind.endswith("StateExited"):
        d = event["stateExitedEventDetails"]
        return [{"type": "StateExited", "timestamp": ts, "state": d["name"], "stateType": kind[:-len("StateExited")],
                 "output": json.loads(d.get("output", "null"))}]
    if kind == "TaskScheduled" and "waitForTaskToken" in event["taskScheduledEventDetails"]["resource"]:
        d = event["taskScheduledEventDetails"]
        token = issued_tokens[len(open_tokens["all"])] if len(issued_tokens) > len(open_tokens["all"]) else None
        open_tokens["all"].append(token)
        open_tokens["current"] = token
        return [{"type": kind, "timestamp": ts, "token": token, "resourceType": d["resourceType"],
                 "resource": d["resource"], "parameters": json.loads(d.get("parameters", "{}")),
                 "timeoutInSeconds": d.get("timeoutInSeconds"), "heartbeatInSeconds": d.get("heartbeatInSeconds")}]
    if kind in TOKEN_CLOSERS and open_tokens.get("current"):
        key = {"TaskSucceeded": "taskSucceededEventDetails", "TaskFailed": "taskFailedEventDetails",
               "TaskTimedOut": "taskTimedOutEventDetails"}[kind]
        d = event.get(key, {})
        line = {"type": kind, "timestamp": ts, "token": open_tokens["current"], "resourceType": d.get("resourceType"),
                "resource": d.get("resource")}
        if kind == "TaskSucceeded":
            line["output"] = json.loads(d.get("output", "null"))
        else:
            line["error"], line["cause"] = d.get("error", ""), d.get("cause", "")
        open_tokens["current"] = None
        return [line]
    return []


def main():
    args = parse_args()
    with open(args.definition, encoding="utf-8") as f:
        definition = substitute(f.read(), json.loads(args.substitutions))
    issued_tokens = []
    patch_moto(args, issued_tokens)
    arn = args.state_machine_arn.split(":")
    region, account, machine_name = arn[3], arn[4], arn[6]
    backend = stepfunctions_parser_backends[account][region]
    machine = backend.create_state_machine(name=machine_name, definition=definition,
                                           roleArn=f"arn:aws:iam::{account}:role/rehearsal")
    execution = backend.start_execution(machine.arn, name=args.execution_arn.split(":")[-1],
                                        execution_input=args.input)

    def callbacks():
        for raw in sys.stdin:
            if not raw.strip():
                continue
            try:
                message = json.loads(raw)
                token = message["token"]
                if message["action"] == "success":
                    backend.send_task_success(token, json.dumps(message["output"]))
                elif message["action"] == "failure":
                    backend.send_task_failure(token, message.get("error"), message.get("cause"))
                else:
                    backend.send_task_heartbeat(token)
            except Exception as e:  # a closed token: the front already answered
                sys.stderr.write(f"run-execution-moto: callback dropped: {e!r}\n")
    threading.Thread(target=callbacks, daemon=True).start()

    printed = 0
    open_tokens = {"all": [], "current": None}
    exit_code = None
    while exit_code is None:
        events = backend.get_execution_history(execution.exec_arn)["events"]
        for event in events[printed:]:
            for line in history_lines(event, issued_tokens, open_tokens):
                emit(line)
            if event["type"] in TERMINAL:
                exit_code = 0 if event["type"] == "ExecutionSucceeded" else 1
        printed = len(events)
        time.sleep(0.02)
    sys.stdout.flush()
    os._exit(exit_code)


if __name__ == "__main__":
    main()
