import { Global, Injectable, Module } from '@nestjs/common';
import { Command, CommandBus } from '@nestjs/cqrs';
import { commandDuration } from '@calls/runtime';

/**
 * The command bus as the app's controllers and background loops use it: each
 * command timed into `command_duration_seconds` by class and outcome. It wraps
 * CQRS's CommandBus rather than replacing its `execute`, since the bus offers
 * no hook around a handler (its command publisher is told only before one
 * runs).
 */
@Injectable()
export class MeteredCommandBus {
  constructor(private readonly bus: CommandBus) {}

  async execute<R>(command: Command<R>): Promise<R> {
    const end = commandDuration.startTimer({ command: command.constructor.name });
    try {
      const result = await this.bus.execute(command);
      end({ outcome: 'ok' });
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  }
}

/** Global: the controllers, the background loops and the media plane's consumers all send commands through it. */
@Global()
@Module({ providers: [MeteredCommandBus], exports: [MeteredCommandBus] })
export class MeteredCommandBusModule {}
