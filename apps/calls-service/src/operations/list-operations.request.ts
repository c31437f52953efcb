import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The largest page of operations, and the page size when $top is not given. */
export const MAX_OPERATIONS_PAGE = 100;

/** Query of `GET .../operations`: OData's `$top`, and the `$skiptoken` our own nextLink carries. */
export class ListOperationsRequest {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_OPERATIONS_PAGE)
  $top?: number;

  /** Opaque to clients: the position after which the next page starts. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  $skiptoken?: number;
}
