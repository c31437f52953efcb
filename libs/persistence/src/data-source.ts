import { DataSource } from 'typeorm';
import { dataSourceOptions, databaseSettingsFromEnv } from './database.config';

/** For the TypeORM CLI (`npm run migration:run`): the same configuration as the service. */
export default new DataSource({ ...dataSourceOptions(databaseSettingsFromEnv()), migrationsRun: false });
