/**
 * Runs scripts/deploy.sh with a PATH of our choosing: the ordinary tools it needs, plus stand-ins
 * for kubectl, minikube and docker that answer read-only questions as told and record every call.
 * Nothing reaches a cluster; nothing is built.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { REPO } from './manifests.js';

/** Tools the script uses besides kubectl, minikube and docker. */
const TOOLS = [
  'bash',
  'dirname',
  'sed',
  'git',
  'date',
  'head',
  'base64',
  'tr',
  'mkdir',
  'rm',
  'seq',
  'sleep',
  'cat',
  'cp',
];

export type Stub = 'kubectl' | 'minikube' | 'docker';

export interface StubBehaviour {
  /** kubectl config current-context; '' = none set. */
  context?: string;
  /** kubectl get --raw /version fails. */
  unreachable?: boolean;
  /** kubectl get secret finds the debug token. */
  secretExists?: boolean;
  /** minikube status succeeds (the context is a minikube profile). */
  minikubeRunning?: boolean;
  /** Commands that change things succeed: apply -k (its kustomization is kept), create secret, ... */
  accept?: boolean;
}

const STUBS: Record<Stub, string> = {
  kubectl: `
case "$*" in
  "config current-context") [ -n "$STUB_CONTEXT" ] && echo "$STUB_CONTEXT" || exit 1 ;;
  *"get --raw /version"*) [ "$STUB_UNREACHABLE" != 1 ] || exit 1; echo '{}' ;;
  *"get secret"*) [ "$STUB_SECRET" = 1 ] || exit 1 ;;
  *"get service"*) ;;
  *"apply -k "*) [ "$STUB_ACCEPT" = 1 ] || exit 3; cp "\${@: -1}/kustomization.yaml" "$STUB_LOG.applied" ;;
  *"create secret generic"*) [ "$STUB_ACCEPT" = 1 ] || exit 3; cat >"$STUB_LOG.token" ;;
  *"label secret"* | *"rollout status"*) [ "$STUB_ACCEPT" = 1 ] || exit 3 ;;
  *) echo "unexpected kubectl $*" >&2; exit 3 ;;
esac`,
  minikube: `
case "$*" in
  *status*) [ "$STUB_MINIKUBE_RUNNING" = 1 ] ;;
  *"image build"*) [ "$STUB_ACCEPT" = 1 ] || exit 3 ;;
  *) echo "unexpected minikube $*" >&2; exit 3 ;;
esac`,
  docker: `echo "unexpected docker $*" >&2; exit 3`,
};

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every stand-in call, "tool args...". */
  calls: string[];
  /** The commands DRY_RUN printed ("+ ..." lines, without the "+ "). */
  planned: string[];
  /** With `accept`: the kustomization kubectl apply -k was given, and the token it was piped. */
  applied: string | undefined;
  token: string | undefined;
}

export class DeploySandbox {
  private readonly root = mkdtempSync(join(tmpdir(), 'mqttzoo-deploy-'));
  private readonly tools = join(this.root, 'tools');

  constructor() {
    mkdirSync(this.tools);
    const path = (process.env.PATH ?? '').split(delimiter);
    for (const tool of TOOLS) {
      const found = path.map((dir) => join(dir, tool)).find((p) => existsSync(p));
      if (found === undefined) throw new Error(`${tool} is not on PATH`);
      symlinkSync(found, join(this.tools, tool));
    }
  }

  run(
    args: string[],
    stubs: readonly Stub[],
    behaviour: StubBehaviour = {},
    env: Record<string, string> = {},
  ): RunResult {
    const bin = mkdtempSync(join(this.root, 'bin-'));
    const log = join(bin, 'calls.log');
    writeFileSync(log, '');
    for (const stub of stubs) {
      const file = join(bin, stub);
      writeFileSync(file, `#!${join(this.tools, 'bash')}\necho "${stub} $*" >>"$STUB_LOG"\n${STUBS[stub]}\n`);
      chmodSync(file, 0o755);
    }
    const r = spawnSync(join(this.tools, 'bash'), [join(REPO, 'scripts', 'deploy.sh'), ...args], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 30_000,
      env: {
        PATH: `${bin}${delimiter}${this.tools}`,
        HOME: this.root,
        STUB_LOG: log,
        STUB_CONTEXT: behaviour.context ?? '',
        STUB_UNREACHABLE: behaviour.unreachable === true ? '1' : '',
        STUB_SECRET: behaviour.secretExists === true ? '1' : '',
        STUB_MINIKUBE_RUNNING: behaviour.minikubeRunning === true ? '1' : '',
        STUB_ACCEPT: behaviour.accept === true ? '1' : '',
        ...env,
      },
    });
    return {
      status: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      calls: readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
      applied: existsSync(`${log}.applied`) ? readFileSync(`${log}.applied`, 'utf8') : undefined,
      token: existsSync(`${log}.token`) ? readFileSync(`${log}.token`, 'utf8') : undefined,
      planned: r.stdout
        .split('\n')
        .filter((l) => l.startsWith('+ '))
        .map((l) => l.slice(2)),
    };
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
