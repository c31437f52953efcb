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

/**
 * Every problem, each naming the full path of the property (or array element)
 * it is about. An element that an each-rule already named (`items[1] must be
 * an object`) is not named again by the nested check that cannot descend into it.
 */
function describe(errors: ValidationError[], parent = '', named = new Set<string | undefined>()): string[] {
  return errors.flatMap((error) => {
    const path = pathOf(parent, error.property);
    const own = Object.entries(error.constraints ?? {})
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
