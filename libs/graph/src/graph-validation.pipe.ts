import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { GraphHttpError } from './graph-error';

/** `prompts[0].mediaInfo`: the path of a property as a client would write it in JavaScript. */
function pathOf(parent: string, property: string): string {
  if (!parent) return property;
  return /^\d+$/.test(property) ? `${parent}[${property}]` : `${parent}.${property}`;
}

/** Every problem, each naming the full path of the property it is about. */
function describe(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = pathOf(parent, error.property);
    const own = Object.values(error.constraints ?? {}).map((message) =>
      // class-validator starts most messages with the property's own name: put the whole path there instead.
      message.startsWith(`${error.property} `)
        ? `${path}${message.slice(error.property.length)}`
        : `${path}: ${message}`,
    );
    return [...own, ...describe(error.children ?? [], path)];
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
