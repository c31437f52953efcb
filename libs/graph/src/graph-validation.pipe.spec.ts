import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { GraphValidationPipe } from './graph-validation.pipe';

class Inner {
  @IsString()
  name: string;
}

class Body {
  @IsOptional()
  @IsArray()
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => Inner)
  items?: Inner[];

  @IsOptional()
  @IsUUID('all', { each: true })
  ids?: string[];

  @IsOptional()
  @IsIn(['a', 'b'], { each: true })
  letters?: string[];

  @IsOptional()
  @IsString()
  @MaxLength(8)
  clientContext?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsUUID('all', { each: true })
  operationIds?: string[];
}

/** The 400's message for a body, or 'valid'. */
async function messageFor(body: unknown): Promise<string> {
  try {
    await new GraphValidationPipe().transform(body, { type: 'body', metatype: Body });
    return 'valid';
  } catch (error) {
    const { status, code, message } = error as { status: number; code: string; message: string };
    expect({ status, code }).toEqual({ status: 400, code: 'invalidRequest' });
    return message;
  }
}

describe(GraphValidationPipe.name, () => {
  const ID = '7b7c3c1e-3c1a-4a55-9bd4-2f6a0e0c1a11';

  it('names the element of an array that an each-rule refuses, not the array', async () => {
    expect(await messageFor({ ids: [ID, 'abc'] })).toBe('ids[1] must be a UUID');
    expect(await messageFor({ letters: ['a', 'x', 'b', 'y'] })).toBe(
      'letters[1] must be one of the following values: a, b; letters[3] must be one of the following values: a, b',
    );
  });

  it('names a null or mistyped element of an array of objects by its index, at any depth', async () => {
    expect(await messageFor({ items: [{ name: 'n' }, null] })).toBe('items[1] must be an object');
    expect(await messageFor({ items: ['x', { name: 1 }] })).toBe(
      'items[0] must be an object; items[1].name must be a string',
    );
    expect(await messageFor({ items: [{ name: 'n' }, { name: 5 }] })).toBe('items[1].name must be a string');
  });

  it('leaves valid bodies alone and still names a property that is not an array', async () => {
    expect(await messageFor({ items: [{ name: 'n' }], ids: [ID], letters: ['b'] })).toBe('valid');
    expect(await messageFor({ ids: 'abc' })).toMatch(/^ids/);
    // An unknown property whose name is blank (the HTTP fuzz test found it) is still a 400.
    expect(await messageFor({ ' ': null })).toMatch(/should not exist$/);
  });

  it('says one thing per bad field: its type when the type is wrong', async () => {
    expect(await messageFor({ clientContext: 5 })).toBe('clientContext must be a string');
    expect(await messageFor({ operationIds: 'abc' })).toBe('operationIds must be an array');
    expect(await messageFor({ clientContext: 'x'.repeat(9) })).toBe(
      'clientContext must be shorter than or equal to 8 characters',
    );
    expect(await messageFor({ operationIds: [] })).toBe('operationIds must contain at least 1 elements');
  });

  it('suggests the known property an unknown one is a slip of (edit distance 2 at most)', async () => {
    expect(await messageFor({ clientContex: 'x' })).toBe(
      'property clientContex should not exist; did you mean clientContext?',
    );
    expect(await messageFor({ operationids: [ID] })).toBe(
      'property operationids should not exist; did you mean operationIds?',
    );
    expect(await messageFor({ nothingLikeIt: 1 })).toBe('property nothingLikeIt should not exist');
    expect(await messageFor({ items: [{ nmae: 'n' }] })).toBe(
      // Two fields: the unknown one, and the one it was meant to be, which is missing.
      'property items[0].nmae should not exist; did you mean name?; items[0].name must be a string',
    );
  });
});
