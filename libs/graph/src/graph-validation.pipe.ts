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
    return super.transform(body, metadata);
  }
}
