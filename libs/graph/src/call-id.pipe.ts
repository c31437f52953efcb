import { Injectable, PipeTransform } from '@nestjs/common';
import { GraphHttpError } from './graph-error';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Call and operation ids are GUIDs; anything else cannot name a call and is
 * refused as a bad request before any lookup. A well-formed id that names
 * nothing visible to the caller is a 404, whoever owns it.
 */
@Injectable()
export class GuidPipe implements PipeTransform<string, string> {
  transform(value: string, metadata: { data?: string }): string {
    if (!GUID.test(value)) {
      const shown = value.length > 64 ? `${value.slice(0, 64)}...` : value;
      throw new GraphHttpError(400, 'invalidRequest', `Invalid ${metadata.data ?? 'id'} '${shown}': expected a GUID.`);
    }
    return value.toLowerCase();
  }
}
