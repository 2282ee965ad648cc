/**
 * The least a Lambda function's environment holds: the database by URL, the JWT signing secret
 * and the region (the configuration specs change or remove one variable at a time).
 */
export const LAMBDA_ENV = Object.freeze({
  DATABASE_URL: 'postgres://app:s3cret@db.example.com:5432/taskflow',
  JWT_SECRET: 'a'.repeat(32),
  AWS_REGION: 'eu-west-1',
});

/** ARNs of the database and JWT secrets, as Secrets Manager names them, for `*_SECRET_ARN`. */
export const SECRET_ARNS = {
  database: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:taskflow/db-AbCdEf',
  jwt: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:taskflow/jwt-AbCdEf',
} as const;
