import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { GraphHttpError } from './graph-error';

/** `prompts[0].mediaInfo`: the path of a property as a client would write it in JavaScript. */
function pathOf(parent: string, property: string): string {
  if (!parent) return property;
  return /^\d+$/.test(property) ? `${parent}[${property}]` : `${parent}.${property}`;
}

/**
 * The indexes of the elements of an array property that fail one of its
 * `{ each: true }` validators. class-validator reports such a failure once,
 * for the whole array ("each value in targets must be an object"); a client
 * needs the element (`targets[1]`). The check is the decorator's own, run
 * again on each element, as class-validator's executor runs it.
 */
function failingElements(error: ValidationError, constraint: string): number[] {
  const values = error.value as unknown[];
  const target = error.target as object;
  const storage = getMetadataStorage();
  for (const metadata of storage.getTargetValidationMetadatas(target.constructor, '', true, false)) {
    if (metadata.propertyName !== error.property || !metadata.each || !metadata.constraintCls) continue;
    const check = storage
      .getTargetValidatorConstraints(metadata.constraintCls)
      .find((candidate) => candidate.name === constraint && !candidate.async);
    if (!check) continue;
    const args = {
      targetName: target.constructor.name,
      property: error.property,
      object: target,
      value: values,
      constraints: metadata.constraints,
    };
    return values.flatMap((value, index) => (check.instance.validate(value, args) ? [] : [index]));
  }
  return [];
}

/** One constraint's message about the property at `path`, naming the path (and the element, for an `each` rule). */
function messagesOf(error: ValidationError, path: string, constraint: string, message: string): string[] {
  const each = `each value in ${error.property} `;
  if (message.startsWith(each) && Array.isArray(error.value) && error.target) {
    const elements = failingElements(error, constraint);
    if (elements.length > 0) return elements.map((index) => `${path}[${index}] ${message.slice(each.length)}`);
  }
  // class-validator starts most messages with the property's own name: put the whole path there instead.
  return [
    message.startsWith(`${error.property} `) ? `${path}${message.slice(error.property.length)}` : `${path}: ${message}`,
  ];
}

/** The checks of a value's type: when one fails, the others say nothing more a client can act on. */
const TYPE_CHECKS = new Set(['isString', 'isNumber', 'isInt', 'isBoolean', 'isArray', 'isObject', 'isDateString']);

/**
 * The one failed check to tell about a property: for a missing one, that
 * it is required (where it is), else what it must be; for one that is
 * there, its type when that is wrong (`"clientContext": 5` is not a string;
 * that it is also too long says nothing), else the first other check.
 * A check of the whole value goes before the same check of each element.
 */
function mostSpecific(error: ValidationError): [string, string][] {
  const failed = Object.entries(error.constraints ?? {});
  const whole = failed.filter(([, message]) => !message.startsWith('each value in '));
  const missing = error.value === undefined || error.value === null;
  const pick =
    (missing ? failed.find(([constraint]) => constraint === 'isDefined') : undefined) ??
    whole.find(([constraint]) => TYPE_CHECKS.has(constraint)) ??
    failed.find(([constraint]) => TYPE_CHECKS.has(constraint)) ??
    failed[0];
  return pick ? [pick] : [];
}

/** Edit distance (Levenshtein) between two names. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++)
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** The known property of the body an unknown one is most likely a slip of (edit distance 2 at most), if any. */
function suggestionFor(error: ValidationError): string | undefined {
  if (!error.target) return undefined;
  const known = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(error.target.constructor, '', true, false)
      .map((metadata) => metadata.propertyName),
  );
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const d = distance(error.property.toLowerCase(), name.toLowerCase());
    if (d <= 2 && d < error.property.length && (!best || d < best.distance)) best = { name, distance: d };
  }
  return best?.name;
}

/**
 * One problem per bad property (its most specific), each naming the full
 * path of the property (or array element) it is about. An element that an
 * each-rule already named (`items[1] must be an object`) is not named again
 * by the nested check that cannot descend into it. An unknown property is
 * told the known one it is likely a slip of.
 */
function describe(errors: ValidationError[], parent = '', named = new Set<string | undefined>()): string[] {
  return errors.flatMap((error) => {
    const path = pathOf(parent, error.property);
    if (error.constraints?.whitelistValidation) {
      const suggestion = suggestionFor(error);
      return [`property ${path} should not exist${suggestion ? `; did you mean ${suggestion}?` : ''}`];
    }
    const own = mostSpecific(error)
      .filter(([constraint]) => !(constraint === 'nestedValidation' && named.has(path)))
      .flatMap(([constraint, message]) => messagesOf(error, path, constraint, message));
    const elements = new Set(own.map((message) => /^\S+/.exec(message)?.[0]));
    return [...own, ...describe(error.children ?? [], path, elements)];
  });
}

/** NUL, or half of a UTF-16 surrogate pair: text PostgreSQL refuses (or SQLite would store mangled). */
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string (or object key) in a body that no database
 * of ours stores as sent, or null. Checked for every body before anything
 * else, so both databases refuse alike, and with a 400 rather than a 500.
 */
function unstorableTextAt(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || 'body' : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = unstorableTextAt(value[i], pathOf(path, String(i)));
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (UNSTORABLE.test(key)) return `${path ? `${path}: ` : ''}a property name`;
      const found = unstorableTextAt(item, pathOf(path, key));
      if (found) return found;
    }
  }
  return null;
}

/**
 * class-validator with Graph's answer: a body that is not a JSON object,
 * an unknown property or a wrong type is a 400 `invalidRequest` whose message
 * names each problem. A missing body is an empty object, since every
 * property of these actions is optional or defaulted.
 */
@Injectable()
export class GraphValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validateCustomDecorators: false,
      // Kept on each error for failingElements(), which re-checks an array's elements; never sent.
      validationError: { target: true, value: true },
      exceptionFactory: (errors) => new GraphHttpError(400, 'invalidRequest', describe(errors).join('; ')),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return super.transform(value, metadata);
    const body = value === undefined || value === '' ? {} : value;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new GraphHttpError(400, 'invalidRequest', 'The request body must be a JSON object.');
    }
    const unstorable = unstorableTextAt(body);
    if (unstorable) {
      throw new GraphHttpError(
        400,
        'invalidRequest',
        `${unstorable} holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored.`,
      );
    }
    return super.transform(body, metadata);
  }
}
