import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { FakeSecretsManager } from './fake-secrets-manager.server';

describe('FakeSecretsManager', () => {
  let fake: FakeSecretsManager;
  let client: SecretsManagerClient;

  beforeEach(async () => {
    fake = await FakeSecretsManager.start();
    client = new SecretsManagerClient({
      region: 'eu-west-1',
      endpoint: fake.url,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
      maxAttempts: 1,
    });
  });

  afterEach(async () => {
    client.destroy();
    await fake.stop();
  });

  it('answers the real SDK client’s GetSecretValue by ARN or by name, and records each call', async () => {
    const secret = fake.createSecret('taskflow/jwt', 'signing-secret');

    const byArn = await client.send(new GetSecretValueCommand({ SecretId: secret.arn }));
    const byName = await client.send(new GetSecretValueCommand({ SecretId: 'taskflow/jwt' }));

    expect(secret.arn).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:\d{12}:secret:taskflow\/jwt-\w{6}$/,
    );
    expect(byArn).toMatchObject({
      ARN: secret.arn,
      Name: 'taskflow/jwt',
      SecretString: 'signing-secret',
      VersionStages: ['AWSCURRENT'],
    });
    expect(byArn.CreatedDate).toBeInstanceOf(Date);
    expect(byName.VersionId).toBe(byArn.VersionId);
    expect(fake.callsFor(secret.arn)).toHaveLength(2);
  });

  it('rotates: the new version is AWSCURRENT, the replaced one AWSPREVIOUS, older ones unlabelled', async () => {
    const secret = fake.createSecret('db', 'v1');
    const first = (await client.send(new GetSecretValueCommand({ SecretId: secret.arn })))
      .VersionId;
    fake.rotate(secret.arn, 'v2');
    const third = fake.rotate(secret.arn, 'v3');

    const current = await client.send(new GetSecretValueCommand({ SecretId: secret.arn }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: secret.arn, VersionStage: 'AWSPREVIOUS' }),
    );
    const original = await client.send(
      new GetSecretValueCommand({ SecretId: secret.arn, VersionId: first }),
    );

    expect(current).toMatchObject({ SecretString: 'v3', VersionId: third });
    expect(previous).toMatchObject({ SecretString: 'v2', VersionStages: ['AWSPREVIOUS'] });
    expect(original).toMatchObject({ SecretString: 'v1', VersionStages: [] });
  });

  it('answers an unknown secret with ResourceNotFoundException, as the service does', async () => {
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: 'missing' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    expect(fake.calls).toEqual([
      expect.objectContaining({ secretId: 'missing', errorType: 'ResourceNotFoundException' }),
    ]);
  });

  it('refuses unsigned calls and other operations', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(fake.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
        body: JSON.stringify({ SecretId: 'x' }),
      });

    const unsigned = await post({ 'x-amz-target': 'secretsmanager.GetSecretValue' });
    const other = await post({
      'x-amz-target': 'secretsmanager.DeleteSecret',
      authorization: 'AWS4-HMAC-SHA256 Credential=test',
    });

    expect([unsigned.status, await unsigned.json()]).toEqual([
      400,
      expect.objectContaining({ __type: 'MissingAuthenticationTokenException' }),
    ]);
    expect([other.status, await other.json()]).toEqual([
      400,
      expect.objectContaining({ __type: 'UnknownOperationException' }),
    ]);
  });
});
