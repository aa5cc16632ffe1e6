#!/usr/bin/env node
// lambda-node-runtime.mjs: the Node.js runtime of ONE rehearsed Lambda function (the CDK Provider
// framework's onEvent / isComplete / onTimeout). The rehearsal's Lambda service starts it with the
// environment Lambda gives the function and invokes it over POST /invoke on 127.0.0.1.
//
//   --port-file FILE        the bound port is written there once the handler module is loaded (init)
//   --code DIR              the function's code asset from cdk.out (what Lambda unzips to /var/task)
//   --handler module.fn     the template's Handler, e.g. framework.onEvent
//   --timeout-seconds N     the function's Timeout: context.getRemainingTimeInMillis()
//   --route HOST=ADDR:PORT  (repeatable) HTTPS requests to HOST go to http://ADDR:PORT instead: the
//                           rehearsal's stand-in for a service endpoint the code reaches by host name
//                           on port 443 (the pre-signed S3 URL of CloudFormation's custom resource
//                           response). Only the transport changes; the request is the code's own.
//
// Like Lambda's Node.js runtime, the AWS SDK for JavaScript v3 comes from the runtime, not the
// asset: NODE_PATH points at the project's node_modules. A handler error answers with header
// X-Amz-Function-Error: Unhandled and {"errorType","errorMessage","trace"}.
import { createServer } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

function parseArgs(argv) {
  const args = { routes: {} };
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    switch (flag) {
      case '--port-file': args.portFile = value; break;
      case '--code': args.code = value; break;
      case '--handler': args.handler = value; break;
      case '--timeout-seconds': args.timeoutSeconds = Number(value); break;
      case '--route': {
        const [host, target] = value.split('=');
        const [address, port] = target.split(':');
        args.routes[host] = { address, port: Number(port) };
        break;
      }
      default: throw new Error(`unknown option ${flag}`);
    }
  }
  if (!args.portFile || !args.code || !args.handler) throw new Error('--port-file, --code and --handler are required');
  return args;
}

function installRoutes(routes) {
  const original = https.request;
  https.request = (options, ...rest) => {
    const host = typeof options === 'string' ? new URL(options).hostname : options.hostname ?? options.host;
    const route = routes[host];
    if (!route) return original(options, ...rest);
    const { agent, ...plain } = typeof options === 'string' ? Object.fromEntries(new URL(options)) : options;
    return http.request({ ...plain, protocol: 'http:', hostname: route.address, host: route.address, port: route.port },
      ...rest);
  };
}

function loadHandler(code, handler) {
  const dot = handler.lastIndexOf('.');
  const require = createRequire(path.join(path.resolve(code), 'index.js'));
  const fn = require(`./${handler.slice(0, dot)}`)[handler.slice(dot + 1)];
  if (typeof fn !== 'function') throw new Error(`handler ${handler} is not a function in ${code}`);
  return fn;
}

function context(invokedArn, timeoutSeconds) {
  const started = Date.now();
  return {
    awsRequestId: randomUUID(),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: invokedArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, timeoutSeconds * 1000 - (Date.now() - started)),
  };
}

const args = parseArgs(process.argv.slice(2));
installRoutes(args.routes);
const handler = loadHandler(args.code, args.handler);

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', async () => {
    const send = (body, functionError) => {
      const headers = { 'content-type': 'application/json' };
      if (functionError) headers['x-amz-function-error'] = functionError;
      response.writeHead(200, headers).end(body);
    };
    try {
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      const result = await handler(event, context(request.headers['x-invoked-function-arn'], args.timeoutSeconds));
      send(result === undefined ? 'null' : JSON.stringify(result));
    } catch (e) {
      send(JSON.stringify({ errorType: e?.name ?? 'Error', errorMessage: e?.message ?? String(e),
        trace: String(e?.stack ?? '').split('\n') }), 'Unhandled');
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  writeFileSync(`${args.portFile}.tmp`, String(server.address().port));
  renameSync(`${args.portFile}.tmp`, args.portFile);
});
