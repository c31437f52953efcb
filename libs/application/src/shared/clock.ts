import { Injectable } from '@nestjs/common';

/** The time source of every command, replaceable in tests. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
