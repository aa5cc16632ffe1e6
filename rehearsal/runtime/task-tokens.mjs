// task-tokens.mjs: the task tokens of one execution, as Step Functions issues and closes them
// (developer guide, "Wait for a Callback with Task Token"; API reference SendTaskSuccess,
// SendTaskFailure, SendTaskHeartbeat). A token is issued per attempt of a .waitForTaskToken Task,
// is random (144 bits of crypto randomness, so unguessable), and dies when its attempt closes:
// success, failure, timeout, heartbeat timeout, or the execution's end. The front learns of each
// token from the TaskScheduled line that carries it and of its death from the TaskSucceeded /
// TaskFailed / TaskTimedOut line that names it; callbacks come back on stdin (see run-execution.mjs).
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

export class TaskTokens {
  /** @param emit writes one event line */
  constructor(emit) {
    this.emit = emit;
    this.open = new Map();
  }

  /**
   * Issues a token for an attempt and returns { token, result, heartbeat }: result settles with the
   * callback (SendTaskSuccess output, or a rejection for SendTaskFailure); onHeartbeat is called on
   * each SendTaskHeartbeat.
   */
  issue(onHeartbeat) {
    const token = `AQ${randomBytes(18).toString('hex')}${randomBytes(90).toString('base64url')}`;
    let settle;
    const result = new Promise((resolve, reject) => { settle = { resolve, reject }; });
    result.catch(() => {}); // observed by the task; a token that dies unobserved must not crash the runner
    this.open.set(token, { settle, onHeartbeat });
    return { token, result };
  }

  /** Closes the token with a line of {@code type}; later callbacks for it are dropped. False when it was closed. */
  close(token, type, fields) {
    if (!this.open.delete(token)) return false;
    this.emit({ type, timestamp: Date.now(), token, ...fields });
    return true;
  }

  /** Whether the token's attempt is still waiting. */
  isOpen(token) {
    return this.open.has(token);
  }

  /** Applies one callback line from the front: {"token","action":"success"|"failure"|"heartbeat",...}. */
  callback(message) {
    const entry = this.open.get(message.token);
    if (!entry) return; // closed meanwhile: the front answered before it knew
    switch (message.action) {
      case 'success': entry.settle.resolve({ output: message.output }); break;
      case 'failure': entry.settle.resolve({ error: message.error, cause: message.cause }); break;
      case 'heartbeat': entry.onHeartbeat(); break;
      default: process.stderr.write(`run-execution: unknown callback action ${message.action}\n`);
    }
  }

  /** Reads callback lines from a stream until it ends; returns the interface (close it to stop). */
  listen(stream) {
    const lines = createInterface({ input: stream });
    lines.on('line', (line) => {
      if (line.trim().length === 0) return;
      try {
        this.callback(JSON.parse(line));
      } catch (e) {
        process.stderr.write(`run-execution: bad callback line ${line.slice(0, 200)}: ${e.message}\n`);
      }
    });
    return lines;
  }
}
