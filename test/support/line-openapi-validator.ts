/**
 * Request validation against LINE's own OpenAPI spec (vendored in ./line-openapi).
 *
 * The spec is OpenAPI 3.0. The parts Ajv cannot take as they are:
 *  - `discriminator` + `mapping` on base schemas (Message, Action, FlexComponent, ...) whose
 *    subtypes are `allOf: [{$ref: Base}, {...}]`. See `convertDiscriminators`.
 *  - `#/components/...` refs, which we resolve against a schema registered under SPEC_ID.
 * `nullable: true` is understood by Ajv v8 itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';

export const SPEC_PATH = path.join(__dirname, 'line-openapi', 'messaging-api.yml');
const SPEC_ID = 'line-messaging-api.json';

/** One problem with a request, in the shape of LINE's 400 `details` entries. */
export interface SpecIssue {
  property: string;
  message: string;
}

export interface SpecParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
}

export interface SpecOperation {
  method: string; // upper case
  template: string; // e.g. /v2/bot/user/all/richmenu/{richMenuId}
  operationId: string;
  /** Content types of the request body, e.g. ['application/json'] or ['*\/*']; empty when there is no body. */
  requestContentTypes: string[];
  requestBodyRequired: boolean;
  parameters: SpecParameter[];
  /** First 2xx status the spec lists, and its example body if the spec gives one. */
  successStatus: number;
  successExample: unknown;
  /** Present when the request body is JSON with a schema. */
  validateBody?: (body: unknown) => SpecIssue[];
}

export interface RouteMatch {
  /** True when some operation has this path, whatever its method. */
  pathKnown: boolean;
  op?: SpecOperation;
  params: Record<string, string>;
}

export interface LineSpec {
  operations: SpecOperation[];
  match(method: string, pathname: string): RouteMatch;
}

type Schema = Record<string, any>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

let cached: LineSpec | undefined;

/** Parses the vendored spec and compiles its validators once per process (module cache). */
export function loadLineSpec(): LineSpec {
  cached ??= buildSpec(YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8')) as Schema);
  return cached;
}

function refName(ref: unknown): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  return m?.[1];
}

interface DiscriminatedBase {
  propertyName: string;
  mapping: Record<string, string>;
  schema: Schema;
}

/**
 * Rewrites OpenAPI discriminators into plain JSON Schema that Ajv can compile without
 * looping (base -> subtype -> allOf base -> subtype ...):
 *  - a base with `discriminator.mapping` becomes a dispatcher: the property is required, must be
 *    one of the mapping keys, and `if {prop: const k} then {$ref: mapping[k]}` for each key;
 *  - inside a mapped subtype's `allOf`, the `$ref` to the base is replaced by an inline copy of the
 *    base's own `properties`/`required` (no dispatch), with the discriminator narrowed to the keys
 *    that map to this subtype. So a subtype used directly (bubble.body is a FlexBox) still checks
 *    its `type`, and every shared base property is validated once, in the subtype.
 */
export function convertDiscriminators(schemas: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = structuredClone(schemas);
  const bases = new Map<string, DiscriminatedBase>();
  for (const [name, s] of Object.entries(schemas)) {
    const d = s.discriminator;
    if (d?.propertyName && d.mapping) {
      bases.set(name, { propertyName: d.propertyName, mapping: d.mapping, schema: s });
    }
  }

  const baseCore = (base: DiscriminatedBase, keys: string[]): Schema => ({
    type: 'object',
    properties: {
      ...(base.schema.properties ?? {}),
      [base.propertyName]: { type: 'string', enum: keys },
    },
    required: [...new Set([...(base.schema.required ?? []), base.propertyName])],
  });

  const inheritsFrom = (subtype: Schema, baseName: string): boolean =>
    Array.isArray(subtype.allOf) && subtype.allOf.some((part: Schema) => refName(part?.$ref) === baseName);

  // Subtypes: replace `allOf: [{$ref: Base}, ...]` with the base's own properties.
  for (const [name, s] of Object.entries(out)) {
    if (!Array.isArray(s.allOf)) continue;
    s.allOf = s.allOf.map((part: Schema) => {
      const baseName = refName(part?.$ref);
      const base = baseName ? bases.get(baseName) : undefined;
      if (!base) return part;
      const ownKeys = Object.entries(base.mapping)
        .filter(([, ref]) => refName(ref) === name)
        .map(([k]) => k);
      return baseCore(base, ownKeys.length > 0 ? ownKeys : Object.keys(base.mapping));
    });
  }

  // Bases: become dispatchers on the discriminator value.
  for (const [name, base] of bases) {
    const { propertyName: prop, mapping } = base;
    // Own properties are left to the subtypes (they embed them, see above), so they are checked once.
    const { discriminator: _d, properties: _p, required: _r, allOf: inherited, ...rest } = out[name]!;
    out[name] = {
      ...rest,
      type: 'object',
      required: [prop],
      properties: { [prop]: { type: 'string', enum: Object.keys(mapping) } },
      allOf: [...(inherited ?? []), ...Object.entries(mapping).map(([key, ref]) => {
        const target = refName(ref);
        // A mapped schema that does not allOf the base would lose the base's properties: add them.
        const then: Schema =
          target && schemas[target] && !inheritsFrom(schemas[target]!, name)
            ? { allOf: [baseCore(base, [key]), { $ref: ref }] }
            : { $ref: ref };
        return { if: { properties: { [prop]: { const: key } }, required: [prop] }, then };
      })],
    };
  }
  return out;
}

/** Points `#/components/...` refs of an inline (operation-level) schema at the registered spec. */
function anchorRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(anchorRefs);
  if (node === null || typeof node !== 'object') return node;
  const result: Schema = {};
  for (const [k, v] of Object.entries(node)) {
    result[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${SPEC_ID}${v}` : anchorRefs(v);
  }
  return result;
}

/** `/messages/0/quickReply` -> `messages[0].quickReply` (the style LINE uses in `details[].property`). */
export function toLineProperty(pointer: string, extra?: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(body)' : out;
}

function ajvErrorToIssue(e: ErrorObject): SpecIssue | undefined {
  // `if` failures only say "must match then schema"; the real errors come from inside `then`.
  if (e.keyword === 'if') return undefined;
  const params = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required':
      return { property: toLineProperty(e.instancePath, params.missingProperty), message: 'must be specified' };
    case 'enum':
      return {
        property: toLineProperty(e.instancePath),
        message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}`,
      };
    default:
      return { property: toLineProperty(e.instancePath), message: e.message ?? e.keyword };
  }
}

function buildSpec(doc: Schema): LineSpec {
  const schemas = convertDiscriminators(doc.components?.schemas ?? {});
  // Unknown OpenAPI keywords (example, externalDocs, ...) are ignored with strict: false.
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  ajv.addSchema({ $id: SPEC_ID, components: { schemas } });

  const operations: SpecOperation[] = [];
  for (const [template, pathItem] of Object.entries<Schema>(doc.paths ?? {})) {
    const pathParams: Schema[] = pathItem.parameters ?? [];
    for (const method of HTTP_METHODS) {
      const op: Schema | undefined = pathItem[method];
      if (!op) continue;
      const content: Schema = op.requestBody?.content ?? {};
      const jsonSchema: Schema | undefined = content['application/json']?.schema;
      let validateBody: SpecOperation['validateBody'];
      if (jsonSchema) {
        const validate: ValidateFunction = ajv.compile(anchorRefs(jsonSchema) as Schema);
        validateBody = (body) => {
          if (validate(body)) return [];
          const seen = new Set<string>();
          const issues: SpecIssue[] = [];
          for (const e of validate.errors ?? []) {
            const issue = ajvErrorToIssue(e);
            const key = issue && `${issue.property}\u0000${issue.message}`;
            if (issue && key && !seen.has(key)) {
              seen.add(key);
              issues.push(issue);
            }
          }
          return issues;
        };
      }
      const statuses = Object.keys(op.responses ?? {})
        .map(Number)
        .filter((s) => s >= 200 && s < 300)
        .sort((a, b) => a - b);
      const successStatus = statuses[0] ?? 200;
      const successContent: Schema | undefined = op.responses?.[String(successStatus)]?.content?.['application/json'];
      const firstExample = successContent?.examples ? Object.values<Schema>(successContent.examples)[0]?.value : undefined;
      operations.push({
        method: method.toUpperCase(),
        template,
        operationId: op.operationId ?? `${method} ${template}`,
        requestContentTypes: Object.keys(content),
        requestBodyRequired: op.requestBody?.required === true,
        parameters: [...pathParams, ...(op.parameters ?? [])].map((p: Schema) => ({
          name: p.name,
          in: p.in,
          required: p.required === true,
        })),
        successStatus,
        successExample: successContent?.example ?? firstExample,
        validateBody,
      });
    }
  }

  const routes = [...new Set(operations.map((o) => o.template))].map((template) => {
    const segments = template.split('/');
    return {
      template,
      segments,
      literalCount: segments.filter((s) => !s.startsWith('{')).length,
    };
  });
  // Literal segments beat parameters: /v2/bot/richmenu/list before /v2/bot/richmenu/{richMenuId}.
  routes.sort((a, b) => b.literalCount - a.literalCount);

  return {
    operations,
    match(method, pathname) {
      const parts = pathname.split('/');
      let pathKnown = false;
      for (const route of routes) {
        if (route.segments.length !== parts.length) continue;
        const params: Record<string, string> = {};
        const ok = route.segments.every((seg, i) => {
          const actual = parts[i] ?? '';
          if (seg.startsWith('{') && seg.endsWith('}')) {
            if (actual === '') return false;
            params[seg.slice(1, -1)] = safeDecode(actual);
            return true;
          }
          return seg === actual;
        });
        if (!ok) continue;
        pathKnown = true;
        const op = operations.find((o) => o.template === route.template && o.method === method.toUpperCase());
        if (op) return { pathKnown, op, params };
      }
      return { pathKnown, params: {} };
    },
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
