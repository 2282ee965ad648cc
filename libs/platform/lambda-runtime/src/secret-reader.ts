import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LambdaConfigError } from './config';
import type { Tracing } from './tracing';

/** Reads a secret's current value. Its errors name the secret, never its value. */
export interface SecretReader {
  /**
   * The SecretString of the current version (`AWSCURRENT`) of the secret `secretArn`, which
   * the environment variable `variable` named.
   */
  read(secretArn: string, variable: string): Promise<string>;
  /** Lets go of its connections (tests, a closed runtime). */
  close(): void;
}

/**
 * Secrets Manager in the function's Region (or at `endpoint`, a local fake), through the AWS
 * SDK's default credentials (the execution role's). The client is made at the first read, so a
 * function that reads no secret never makes one.
 */
export function secretsManagerReader(
  settings: { readonly region: string; readonly endpoint: string | null },
  tracing?: Tracing,
): SecretReader {
  let client: SecretsManagerClient | null = null;
  return {
    read: async (secretArn, variable) => {
      if (client === null) {
        const made = new SecretsManagerClient({
          region: settings.region,
          ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
        });
        client = tracing === undefined ? made : tracing.client(made);
      }
      let secret: string | undefined;
      try {
        secret = (await client.send(new GetSecretValueCommand({ SecretId: secretArn })))
          .SecretString;
      } catch (error) {
        // The SDK's message names the failure (AccessDeniedException, ResourceNotFound...),
        // never a secret's value.
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new LambdaConfigError(`cannot read the secret ${variable} names: ${reason}`, {
          cause: error,
        });
      }
      if (secret === undefined)
        throw new LambdaConfigError(`the secret ${variable} names has no SecretString (binary?)`);
      return secret;
    },
    close: () => {
      client?.destroy();
      client = null;
    },
  };
}
