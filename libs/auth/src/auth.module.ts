import { DynamicModule, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AUTH_SETTINGS, AuthSettings } from './auth.config';
import { DevIssuerController } from './dev-issuer.controller';
import { DevTokenIssuer } from './dev-token-issuer';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { RolesGuard } from './roles.guard';

@Module({})
export class AuthModule {
  /** The `auth` section of the process's configuration (loadConfig). */
  static forRoot(resolved: AuthSettings): DynamicModule {
    const devIssuer: Provider = {
      provide: DevTokenIssuer,
      useFactory: () => (resolved.mode === 'dev' ? DevTokenIssuer.forDataDir(resolved.dataDir) : null),
    };
    return {
      module: AuthModule,
      imports: [PassportModule],
      controllers: resolved.mode === 'dev' ? [DevIssuerController] : [],
      providers: [
        { provide: AUTH_SETTINGS, useValue: resolved },
        devIssuer,
        JwtStrategy,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [DevTokenIssuer],
    };
  }
}
