/**
 * How `mqttzoo pub` and `mqttzoo sub` start and end: the command line parsed or the usage printed, the
 * first SIGINT/SIGTERM turned into a clean end, and any failure turned into one line on stderr and an
 * exit status (docs/CLI.md).
 */
import {
  parseClientFlags,
  usage,
  UsageError,
  type ClientCommand,
  type ClientFlags,
} from './client-options.js';

/** Exit status of `pub` and `sub` (docs/CLI.md). */
export const EXIT_OK = 0;
export const EXIT_CONNECTION = 1;
export const EXIT_USAGE = 2;
export const EXIT_REFUSED = 3;

/** A failure the command reports on one line of stderr before exiting with `exitCode`. */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause: unknown },
  ) {
    super(message, options);
  }
}

/** Parses, or prints the usage (on stdout for --help, after the error on stderr) and returns the exit code. */
export function parseOrUsage(command: ClientCommand, args: string[]): ClientFlags | number {
  try {
    const flags = parseClientFlags(command, args, process.env);
    if (flags !== null) return flags;
    process.stdout.write(usage(command));
    return EXIT_OK;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`mqttzoo ${command}: ${err.message}\n${usage(command)}`);
    return EXIT_USAGE;
  }
}

/**
 * Calls `onStop` on the first SIGINT or SIGTERM (the command then ends cleanly); a second one exits at
 * once with 130. Returns the function that removes the handlers.
 */
export function onStopSignal(onStop: () => void): () => void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    onStop();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Runs a client command: one line on stderr for any failure, the exit code as the result. */
export async function runClientCommand(name: string, body: () => Promise<void>): Promise<number> {
  try {
    await body();
    return EXIT_OK;
  } catch (err) {
    const line = err instanceof Error ? err.message : String(err);
    process.stderr.write(`mqttzoo ${name}: ${line}\n`);
    return err instanceof ClientError ? err.exitCode : EXIT_CONNECTION;
  }
}

/** With -d, writes `line` on stderr as `mqttzoo <command>: <line>`; otherwise nothing. */
export function debugLog(flags: ClientFlags): (line: string) => void {
  return flags.debug
    ? (line) => process.stderr.write(`mqttzoo ${flags.command}: ${line}\n`)
    : () => undefined;
}
