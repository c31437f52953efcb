import { BadRequestException, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { CallNotFoundError, ConcurrencyConflictError, UnknownOperationsError } from '@calls/domain';
import { IdempotencyKeyReusedError } from '@calls/application';
import { graphErrorBody, GraphHttpError, toGraphError } from './graph-error';

describe(toGraphError.name, () => {
  it.each([
    ['a call that is not found', new CallNotFoundError('c'), 404, 'itemNotFound', 'Call not found.'],
    [
      'a conflict that outlived the retries',
      new ConcurrencyConflictError('c'),
      409,
      'resourceModified',
      expect.any(String),
    ],
    [
      'operations a call does not have',
      new UnknownOperationsError(['x']),
      400,
      'invalidRequest',
      expect.stringContaining('x'),
    ],
    [
      'an Idempotency-Key used before for another request',
      new IdempotencyKeyReusedError('k1'),
      422,
      'unprocessableEntity',
      'This Idempotency-Key was already used with a different request.',
    ],
  ])('maps %s to its Graph status and code', (_case, error, status, code, message) => {
    expect(toGraphError(error)).toEqual({ status, code, message, headers: {}, unexpected: false });
  });

  it('keeps what a GraphHttpError says, headers included', () => {
    const error = new GraphHttpError(429, 'activityLimitReached', 'Slow down.', { 'Retry-After': '3' });
    expect(toGraphError(error)).toEqual({
      status: 429,
      code: 'activityLimitReached',
      message: 'Slow down.',
      headers: { 'Retry-After': '3' },
      unexpected: false,
    });
  });

  it("maps the framework's 4xx by status, with clearer messages where clients meet them often", () => {
    expect(toGraphError(new NotFoundException('Cannot GET /x'))).toMatchObject({ status: 404, code: 'itemNotFound' });
    expect(toGraphError(new PayloadTooLargeException())).toMatchObject({
      status: 413,
      code: 'requestTooLarge',
      message: 'The request body is too large.',
    });
    expect(toGraphError(new BadRequestException(['a is wrong', 'b is wrong']))).toMatchObject({
      status: 400,
      code: 'invalidRequest',
      message: 'a is wrong; b is wrong',
    });
  });

  it('answers a database that cannot be reached with 503 and Retry-After, not a 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toGraphError(refused)).toMatchObject({
      status: 503,
      code: 'serviceNotAvailable',
      headers: { 'Retry-After': expect.any(String) },
      unexpected: false,
    });
  });

  it('answers anything else as a 500 generalException that says nothing of the fault', () => {
    const fault = toGraphError(new TypeError("Cannot read properties of undefined (reading 'uri')"));
    expect(fault).toEqual({
      status: 500,
      code: 'generalException',
      message: 'An unexpected error occurred.',
      headers: {},
      unexpected: true,
    });
  });
});

describe(graphErrorBody.name, () => {
  it("is Graph's error shape, tied to the request by its ids and a date without milliseconds", () => {
    const body = graphErrorBody(toGraphError(new CallNotFoundError('c')), 'req-1', 'client-1');
    expect(body).toEqual({
      error: {
        code: 'itemNotFound',
        message: 'Call not found.',
        innerError: {
          'request-id': 'req-1',
          'client-request-id': 'client-1',
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        },
      },
    });
  });
});
