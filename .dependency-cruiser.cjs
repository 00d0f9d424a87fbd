/**
 * How src/ may depend on itself (dependency-cruiser; checked in npm test by
 * test/architecture/dependencies.test.ts, or by hand: npx depcruise src). Type-only imports count:
 * a cycle of types is a cycle of modules all the same.
 */

/** Modules that reach outside the process: files, sockets, processes, databases, LINE. */
const IO_CORE = '^(node:)?(fs|fs/promises|http|https|http2|net|tls|dgram|dns|child_process|cluster|worker_threads)$';
/** A package, resolved (node_modules/…, its @types too) or not (its bare name). */
const IO_PACKAGES = '(^|node_modules/)(@types/)?(express|express-[^/]+|pg|better-sqlite3|kysely|undici|@line/bot-sdk)(/|$)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No import cycle in src/: each module can be read, tested and moved after the ones it uses.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-without-io',
      comment: 'src/domain/ is the pure core (STYLE.md lesson 2): no files, network, processes, store layer, Express, databases or LINE SDK.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: [IO_CORE, IO_PACKAGES, '^src/store/'] },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
