// The `trampfd` command: call one C function from the shell, or report what this system allows.
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { loadedAddonPath, mdweExecPath, root } from './native/load.cjs';
import { targetFor } from './targets/index.js';
import type { CType, FunctionType } from './types/ctype.js';

const USAGE = `Usage: trampfd <command> [options]

Commands:
  call <library> '<prototype>' [args...]   call one C function and print its result
  doctor                                   report platform, trampoline mode and W^X enforcement

Options:
  -h, --help     help (also after a command: trampfd call --help)
  -v, --version  the trampfd version
`;

const CALL_USAGE = `Usage: trampfd call [--cdef '<C declarations>'] [--] <library> '<prototype>' [--] [args...]

Calls one C function and prints its result (nothing for void).
  --cdef       typedefs, structs, unions or enums the prototype uses (repeatable)
  --           ends the options. Options come only before <library>, so every word after the
               prototype is an argument (-5 is a number); a -- right after the prototype is
               skipped (-- -- passes the text "--")
  <library>    a path or soname (libm.so.6, ./libfoo.so); '-' is the running node process
  <prototype>  a C prototype, e.g. 'double cos(double x)'
  [args...]    one per parameter, read as the parameter's declared type:
                 integers      42, -7, 0x2a (64-bit and size types up to 2^64)
                 floating      1.5, -2e3, inf, nan
                 bool          true, false, 1, 0
                 enums         a number or an enumerator name
                 const char *  the text itself; null passes NULL
                 pointers      an address (number) or null
                 structs       JSON, e.g. '{"x":1,"y":2}'
               extra arguments of a variadic function: null; 12n (long long); an integer
               (int if it fits, else long long); a decimal number (double); else a string.
Results: numbers as JS prints them; char pointers as the string they point to (NULL
for a null pointer); other pointers in hex; structs as JSON.

Examples:
  trampfd call libm.so.6 'double cos(double)' 0                            # 1
  trampfd call libc.so.6 'size_t strlen(const char *)' hello               # 5
  trampfd call libc.so.6 'int abs(int)' -- -5                              # 5
  trampfd call libc.so.6 'int printf(const char *, ...)' $'%s=%d\\n' x 42   # x=42, then 5
  trampfd call libz.so.1 'const char *zlibVersion(void)'                   # 1.2.13
  trampfd call --cdef 'typedef struct { int quot, rem; } div_t;' libc.so.6 'div_t div(int, int)' 7 2
`;

const DOCTOR_USAGE = `Usage: trampfd doctor [--json]

Reports the platform, architecture, Node version, page size, which trampfd addon
loaded, the trampoline mode (file-mapped or in-image) with tables and slots, whether
this process or the system enforces W^X (PR_SET_MDWE, SELinux deny_execmem, seccomp)
and whether Node runs JIT-less, and how to give any libffi program (Python ctypes, ...)
closures on trampfd trampolines. Exits 0 when the trampoline self-test passes.
  --json   print the report as one JSON object
`;

/** A mistake in how the command was used: exit status 2. */
class UsageError extends Error {}

type Api = typeof import('./index.js');

async function api(): Promise<Api> {
  return import('./index.js');
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string }).version;
}

// ---------------------------------------------------------------------------------- call

const INTEGER = /^[+-]?(0x[0-9a-f]+|0o[0-7]+|0b[01]+|[0-9]+)$/i;
const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)(e[+-]?[0-9]+)?$/i;

function parseInteger(text: string, where: string): bigint {
  if (!INTEGER.test(text)) throw new UsageError(`${where}: '${text}' is not an integer`);
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '');
  const n = BigInt(digits);
  return negative ? -n : n;
}

function parseFloating(text: string, where: string): number {
  const t = text.toLowerCase().replace(/^\+/, '');
  if (/^-?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^-?nan$/.test(t)) return NaN;
  if (!DECIMAL.test(text) && !INTEGER.test(text)) throw new UsageError(`${where}: '${text}' is not a number`);
  return Number(text);
}

/** A command-line word as a value of C type `type`; range checks are left to the call itself. */
function parseArg(text: string, type: CType, where: string): unknown {
  switch (type.kind) {
    case 'enum':
      return INTEGER.test(text) ? Number(parseInteger(text, where)) : text;
    case 'scalar':
      switch (type.js) {
        case 'boolean':
          if (text === 'true' || text === '1') return true;
          if (text === 'false' || text === '0') return false;
          throw new UsageError(`${where}: '${text}' is not a bool (true, false, 1 or 0)`);
        case 'bigint':
          return parseInteger(text, where);
        case 'safe': case 'pointer': {
          const n = parseInteger(text, where);
          return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
        }
        default:
          if (type.rep === 'f32' || type.rep === 'f64') return parseFloating(text, where);
          return Number(parseInteger(text, where));
      }
    case 'pointer':
      if (text === 'null' || text === 'NULL') return null;
      if (type.cstring) return text;
      if (type.to.kind === 'function') throw new UsageError(`${where}: a function pointer cannot be given on the command line (only null)`);
      if (!INTEGER.test(text)) throw new UsageError(`${where}: '${text}' is not an address or null (only const char * parameters take text)`);
      return Number(parseInteger(text, where));
    case 'struct': case 'union':
      try {
        return JSON.parse(text);
      } catch {
        throw new UsageError(`${where}: '${text}' is not JSON for ${type.name}`);
      }
    default:
      throw new UsageError(`${where}: cannot pass a ${type.name} from the command line`);
  }
}

/** An extra argument of a variadic function, typed by how it looks (see CALL_USAGE). */
function parseVariadic(text: string): unknown {
  if (text === 'null' || text === 'NULL') return null;
  if (/^[+-]?[0-9]+n$/.test(text)) return BigInt(text.slice(0, -1));
  if (INTEGER.test(text)) {
    const n = parseInteger(text, '');
    return n >= -0x80000000n && n <= 0x7fffffffn ? Number(n) : n;
  }
  if (DECIMAL.test(text)) return Number(text);
  return text;
}

function isCharPointer(t: CType): boolean {
  return t.kind === 'pointer' && t.to.kind === 'scalar' && t.to.size === 1 && /char/.test(t.to.name);
}

function formatResult(value: unknown, ret: CType, t: Api): string | undefined {
  if (ret.kind === 'void') return undefined;
  if (ret.kind === 'pointer') {
    const p = value as number;
    if (p === 0) return 'NULL';
    return isCharPointer(ret) ? t.memory.string(p) : `0x${p.toString(16)}`;
  }
  if (typeof value === 'object' && value !== null) {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
  return String(value);
}

async function call(args: string[]): Promise<number> {
  // Options come before the library; everything after it is positional (so -5 is a number).
  const defs: string[] = [];
  while (args[0]?.startsWith('-') && args[0] !== '-') {
    const [opt, value] = args as [string, string | undefined];
    if (opt === '--') {
      args = args.slice(1);
      break;
    }
    if (opt === '-h' || opt === '--help') {
      process.stdout.write(CALL_USAGE);
      return 0;
    }
    if (opt !== '--cdef') throw new UsageError(`call: unknown option '${opt}' (trampfd call --help)`);
    if (value === undefined) throw new UsageError(`call: --cdef needs C declarations`);
    defs.push(value);
    args = args.slice(2);
  }
  if (args.length < 2) throw new UsageError(`call needs a library and a prototype (trampfd call --help)`);
  const [libName, proto, ...rest] = args as [string, string, ...string[]];
  const words = rest[0] === '--' ? rest.slice(1) : rest; // `-- -5`, as with most commands
  const t = await api();
  for (const d of defs) t.cdef(d);
  // Deep-bound: the library's own code runs, not a copy the node binary exports (zlib, OpenSSL).
  const lib = libName === '-' ? t.load(null) : t.load(libName, { deep: true });
  const f = lib.func(proto);
  const type = f.type as FunctionType;
  const fixed = type.params.length;
  if (words.length < fixed || (!type.variadic && words.length > fixed)) {
    throw new UsageError(`${proto}: expected ${type.variadic ? 'at least ' : ''}${fixed} argument${fixed === 1 ? '' : 's'}, got ${words.length}`);
  }
  const values = words.map((w, i) =>
    i < fixed ? parseArg(w, type.params[i]!.type, `argument ${i + 1}${type.params[i]!.name ? ` (${type.params[i]!.name})` : ''}`) : parseVariadic(w));
  const result = f(...values);
  // Output the C function wrote through stdio comes before our result line.
  t.load(null).func('int fflush(void *stream)')(null);
  const text = formatResult(result, type.ret, t);
  if (text !== undefined) process.stdout.write(text + '\n');
  return 0;
}

// -------------------------------------------------------------------------------- doctor

interface Report {
  platform: string;
  arch: string;
  /** trampfd's name for this CPU's target (native/arch/<target>), or null if it has none. */
  target: string | null;
  /** Branch protections in force (native/tramp-arch.h): on AArch64 "bti pac", "bti", "pac" or "". */
  branchProtection: string;
  kernel: string;
  node: string;
  napi: string;
  pageSize: number;
  addon: string;
  prebuilt: boolean;
  trampolines: {
    mode: string;
    fallbackReason: string | null;
    tables: number;
    slots: number;
    live: number;
    imageSlots: number;
    selfTest: boolean;
  };
  wx: {
    mdwe: 'enforced' | 'off' | 'unsupported';
    mdweFlags: number;
    selinux: 'absent' | 'enforcing' | 'permissive';
    denyExecmem: boolean | null;
    seccomp: 'none' | 'strict' | 'filter' | 'unknown';
    mdweExec: string | null;
  };
  jitless: boolean;
  ffiShim: string | null;
}

/** libtrampfd-ffi.so: the prebuilt one if shipped, else the one node-gyp built (needs libffi-dev). */
/** Where libtrampfd-ffi.so is built (binding.gyp: native/ffi/ffi-shim-<target>.c exists). */
const SHIM_TARGETS: readonly string[] = ['x64', 'arm64'];
const ffiShimPath = [join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'libtrampfd-ffi.so'),
  join(root, 'build', 'Release', 'libtrampfd-ffi.so')].find((p) => existsSync(p)) ?? null;

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

const PR_GET_MDWE = 66;
const PR_MDWE_REFUSE_EXEC_GAIN = 1;
const SC_PAGESIZE = 30;
const EINVAL = 22;

function doctorReport(t: Api, archFeatures: string): Report {
  const libc = t.load(null);
  const pageSize = libc.func('long sysconf(int name)')(SC_PAGESIZE) as number;
  const self = t.trampolines.selfTest(); // allocates, so the mode is decided
  const s = t.trampolines.stats();

  // MDWE is not shown in /proc/self/status (checked on Linux 6.18); prctl(PR_GET_MDWE) tells.
  // Its unused arguments must be 0 in all 64 bits, hence unsigned long pairs.
  const prctl = libc.func('int prctl(int option, ...)', { errno: true });
  const zero: [string, number] = ['unsigned long', 0];
  const flags = prctl(PR_GET_MDWE, zero, zero, zero, zero) as number;
  const mdwe = flags < 0 ? (t.errno() === EINVAL ? 'unsupported' : 'off') : flags & PR_MDWE_REFUSE_EXEC_GAIN ? 'enforced' : 'off';

  const enforce = readText('/sys/fs/selinux/enforce');
  const deny = readText('/sys/fs/selinux/booleans/deny_execmem');
  const status = readText('/proc/self/status') ?? '';
  const seccompField = /^Seccomp:\s*(\d+)/m.exec(status)?.[1];
  const seccomp = seccompField === undefined ? 'unknown' : seccompField === '2' ? 'filter' : seccompField === '1' ? 'strict' : 'none';

  const execArgv = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const addon = loadedAddonPath();
  return {
    platform: process.platform,
    arch: process.arch,
    target: targetFor(process.arch)?.arch.name ?? null,
    branchProtection: archFeatures,
    kernel: release(),
    node: process.version,
    napi: process.versions.napi ?? '?',
    pageSize,
    addon,
    prebuilt: addon.includes('/prebuilds/'),
    trampolines: {
      mode: s.mode,
      fallbackReason: s.fallbackReason,
      tables: s.tables,
      slots: s.capacity,
      live: s.live,
      imageSlots: s.imageCapacity,
      selfTest: self.ok,
    },
    wx: {
      mdwe,
      mdweFlags: Math.max(flags, 0),
      selinux: enforce === undefined ? 'absent' : enforce.trim() === '1' ? 'enforcing' : 'permissive',
      denyExecmem: deny === undefined ? null : deny.trim().split(/\s+/)[0] === '1',
      seccomp,
      mdweExec: existsSync(mdweExecPath) ? mdweExecPath : null,
    },
    jitless: execArgv.includes('--jitless'),
    ffiShim: ffiShimPath,
  };
}

function printReport(r: Report): void {
  const tr = r.trampolines;
  const mode = tr.mode === 'file'
    ? `file-mapped: ${tr.tables} table(s) mapped from the addon's own file, ${tr.slots} slots, no limit but memory`
    : `in-image: ${tr.imageSlots} slots inside the loaded addon${tr.fallbackReason ? ` (${tr.fallbackReason})` : ''}`;
  const wx: string[] = [];
  wx.push(`PR_SET_MDWE ${r.wx.mdwe === 'enforced' ? `enforced (flags ${r.wx.mdweFlags})` : r.wx.mdwe === 'off' ? 'off' : 'not supported by this kernel (6.3+)'}`);
  wx.push(r.wx.selinux === 'absent' ? 'SELinux absent'
    : `SELinux ${r.wx.selinux}${r.wx.denyExecmem === null ? '' : `, deny_execmem ${r.wx.denyExecmem ? 'on' : 'off'}`}`);
  wx.push(`seccomp ${r.wx.seccomp}${r.wx.seccomp === 'filter' ? ' (may deny W+X, e.g. systemd MemoryDenyWriteExecute=yes)' : ''}`);
  const enforced = r.wx.mdwe === 'enforced' || (r.wx.selinux === 'enforcing' && r.wx.denyExecmem === true);
  const supported = r.platform === 'linux' && r.target !== null;
  const features = r.branchProtection.split(' ');
  const lines: [string, string][] = [
    ['platform', `${r.platform} ${r.arch}, kernel ${r.kernel}, ${supported ? `target ${r.target}`
      : 'unsupported: trampfd runs on x86-64, AArch64 and RISC-V 64 Linux'}`],
    ...(r.target === 'aarch64' ? [['BTI/PAC', [
      features.includes('bti') ? 'BTI on: trampoline tables are mapped PROT_BTI (a branch past a slot\'s bti c faults)'
        : 'BTI off (this CPU has no BTI)',
      features.includes('pac') ? 'PAC on: return addresses are signed (pac-ret)'
        : 'PAC off (this CPU has no PAC, or the addon was built without pac-ret)',
    ].join('; ')] as [string, string]] : []),
    ['node', `${r.node} (N-API ${r.napi})`],
    ['page size', `${r.pageSize} bytes`],
    ['addon', `${r.addon} (${r.prebuilt ? 'prebuilt' : 'built from source'})`],
    ['trampolines', mode],
    ['self-test', tr.selfTest ? 'ok: a trampoline called from C delivered its context' : 'FAILED'],
    ['W^X', `${wx.join('; ')}${enforced ? ' -> W^X is enforced here' : ''}`],
    ['JIT', r.jitless ? 'off (node --jitless)' : 'on (under enforced W^X node needs --jitless)'],
    ['mdwe-exec', r.wx.mdweExec ?? 'not built'],
    ['libffi shim', r.ffiShim ? `libffi closures on trampfd trampolines for any program: LD_PRELOAD=${r.ffiShim} <program>`
      : SHIM_TARGETS.includes(process.arch) ? 'not built (libffi-dev was missing at build time)'
        : `not built: the shim is written for x86-64 and AArch64 only (${process.arch} here)`],
  ];
  for (const [k, v] of lines) process.stdout.write(`${k.padEnd(12)} ${v}\n`);
}

async function doctor(args: string[]): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    process.stdout.write(DOCTOR_USAGE);
    return 0;
  }
  const unknown = args.find((a) => a !== '--json');
  if (unknown !== undefined) throw new UsageError(`doctor: unknown option '${unknown}' (trampfd doctor --help)`);
  const t = await api();
  const { addon } = await import('./native/addon.js');
  const r = doctorReport(t, addon.archFeatures);
  if (args.includes('--json')) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else printReport(r);
  return r.trampolines.selfTest ? 0 : 1;
}

// ---------------------------------------------------------------------------------- main

/** Runs the command line `argv` (without node and script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        process.stderr.write(USAGE);
        return 2;
      case '-h': case '--help': case 'help':
        process.stdout.write(USAGE);
        return 0;
      case '-v': case '--version':
        process.stdout.write(packageVersion() + '\n');
        return 0;
      case 'call':
        return await call(rest);
      case 'doctor':
        return await doctor(rest);
      default:
        throw new UsageError(`unknown command '${command}' (trampfd --help)`);
    }
  } catch (e) {
    process.stderr.write(`trampfd: ${oneLine(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

/** An error as one line: declaration errors by reason and column (their caret needs two lines). */
function oneLine(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const d = e as Error & { reason?: string; column?: number };
  if (d.name === 'DeclarationError' && d.reason !== undefined) return `bad prototype: ${d.reason} at column ${d.column}`;
  return e.message.replace(/\s*\n\s*/g, '; ');
}
