import { Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { CALLS_V1, CallsV1Type } from './calls-v1.contracts';

/** The TypeScript type of each event's data, as calls-v1.contracts.ts names it. */
const DATA_TYPES: Record<CallsV1Type, string> = {
  [CALLS_V1.callCreated]: 'CallCreatedV1',
  [CALLS_V1.callEstablished]: 'CallEstablishedV1',
  [CALLS_V1.callTerminated]: 'CallTerminatedV1',
  [CALLS_V1.mediaOperationQueued]: 'MediaOperationQueuedV1',
  [CALLS_V1.mediaOperationStarted]: 'MediaOperationStartedV1',
  [CALLS_V1.mediaOperationEnded]: 'MediaOperationEndedV1',
  [CALLS_V1.mediaProcessingCancelled]: 'MediaProcessingCancelledV1',
  [CALLS_V1.toneReceived]: 'ToneReceivedV1',
};

/**
 * The structure both sides must agree on: for an object, each property and
 * whether it may be absent; for an array, its items. Values (enums, formats)
 * are the schema's to document; an object open to any property (`record`) is
 * `open` on both sides.
 */
type Shape =
  | {
      readonly kind: 'object';
      readonly open: boolean;
      readonly props: Record<string, { optional: boolean; shape: Shape }>;
    }
  | { readonly kind: 'array'; readonly items: Shape }
  | { readonly kind: 'value' };

const VALUE: Shape = { kind: 'value' };

function typeShapes(): Record<string, Shape> {
  const file = join(__dirname, 'calls-v1.contracts.ts');
  const program = ts.createProgram([file], { strict: true, target: ts.ScriptTarget.ES2022 });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file)!;
  const shapeOf = (type: ts.Type, at: ts.Node): Shape => {
    if (type.isUnion()) {
      const present = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Null | ts.TypeFlags.Undefined)));
      return present.length === 1 ? shapeOf(present[0], at) : VALUE;
    }
    if (checker.isArrayType(type))
      return { kind: 'array', items: shapeOf(checker.getTypeArguments(type as ts.TypeReference)[0], at) };
    if (!(type.flags & ts.TypeFlags.Object)) return VALUE;
    const open = checker.getIndexInfosOfType(type).length > 0;
    const props = Object.fromEntries(
      checker.getPropertiesOfType(type).map((symbol) => [
        symbol.name,
        {
          optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0,
          shape: shapeOf(checker.getTypeOfSymbolAtLocation(symbol, at), at),
        },
      ]),
    );
    return { kind: 'object', open, props };
  };
  const shapes: Record<string, Shape> = {};
  ts.forEachChild(source, (node) => {
    if (ts.isInterfaceDeclaration(node)) shapes[node.name.text] = shapeOf(checker.getTypeAtLocation(node), node);
  });
  return shapes;
}

type Schema = {
  allOf?: Schema[];
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: boolean;
};

function schemaShape(schema: Schema): Shape {
  const parts = schema.allOf ? [schema, ...schema.allOf] : [schema];
  const properties = Object.assign({}, ...parts.map((part) => part.properties ?? {})) as Record<string, Schema>;
  const required = new Set(parts.flatMap((part) => part.required ?? []));
  const types = ([] as string[]).concat(schema.type ?? []);
  if (types.includes('array') && schema.items) return { kind: 'array', items: schemaShape(schema.items) };
  if (Object.keys(properties).length === 0 && !types.includes('object')) return VALUE;
  const closed = parts.some((part) => part.additionalProperties === false);
  return {
    kind: 'object',
    open: !closed && Object.keys(properties).length === 0,
    props: Object.fromEntries(
      Object.entries(properties).map(([name, inner]) => [
        name,
        { optional: !required.has(name), shape: schemaShape(inner) },
      ]),
    ),
  };
}

describe('the calls.v1 payload types and asyncapi.yaml', () => {
  it('describe the same data for every event: the same properties, equally optional, at every depth', async () => {
    const { document } = await new Parser().parse(readFileSync(join(__dirname, 'asyncapi.yaml'), 'utf8'));
    const types = typeShapes();
    const documented: Record<string, Shape | undefined> = {};
    const declared: Record<string, Shape> = {};
    for (const message of document!.allMessages().all()) {
      const type = message.name() as CallsV1Type;
      const payload = schemaShape(message.payload()!.json() as Schema);
      documented[type] = payload.kind === 'object' ? payload.props.data?.shape : undefined;
      declared[type] = types[DATA_TYPES[type]];
    }
    expect(Object.keys(documented).sort()).toEqual(Object.keys(DATA_TYPES).sort());
    expect(documented).toEqual(declared);
  });

  it('would notice a difference: a property the schema lacks fails the comparison', () => {
    const withExtra = { kind: 'object', open: false, props: { a: { optional: false, shape: VALUE } } } as const;
    expect(schemaShape({ type: 'object', properties: {} })).not.toEqual(withExtra);
    expect(schemaShape({ type: 'object', properties: { a: { type: 'string' } } })).not.toEqual(withExtra);
    expect(schemaShape({ type: 'object', properties: { a: { type: 'string' } }, required: ['a'] })).toEqual(withExtra);
  });
});
