import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Config } from './config';

/** The process's configuration tree, for providers that take a section of it. */
export const CONFIG = Symbol('CONFIG');

/** Global: the one Config of the process, built by loadConfig at start. */
@Global()
@Module({})
export class ConfigTreeModule {
  static forRoot(config: Config): DynamicModule {
    return { module: ConfigTreeModule, providers: [{ provide: CONFIG, useValue: config }], exports: [CONFIG] };
  }
}
