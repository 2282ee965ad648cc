import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import type { TaskflowFunction } from './taskflow-function.construct';

/** How a function verifies the user pool's tokens: the three `JWKS_*` variables. */
export interface JwksSettings {
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>/.well-known/jwks.json`. */
  readonly url: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the tokens' `iss`. */
  readonly issuer: string;
  /** The web board's client id: the `aud` of the ID tokens issued to it. */
  readonly audience: string;
}

/** Props of {@link TaskflowUserPool}. */
export interface TaskflowUserPoolProps {
  readonly config: TaskflowConfig;
  /**
   * The web board's origin on AWS (`https://<distribution domain>`), whose `/auth/callback`
   * and `/` the hosted UI may return to, beside the configured callback URLs.
   */
  readonly webOrigin?: string;
}

/**
 * The hosted UI's domain prefix, `<project>-<stage>-<account>`: prefixes are unique per region
 * across all of AWS, and the account id makes ours so. Known before the pool exists, so the
 * board's Content-Security-Policy can name the hosted UI's origin exactly.
 */
export function hostedUiDomainPrefix(
  config: Pick<TaskflowConfig, 'projectName' | 'stage'>,
): string {
  return `${config.projectName}-${config.stage}-${Aws.ACCOUNT_ID}`;
}

/** `https://<prefix>.auth.<region>.amazoncognito.com`: where the board signs in and gets tokens. */
export function hostedUiOrigin(
  config: Pick<TaskflowConfig, 'projectName' | 'stage'>,
  region: string,
): string {
  return `https://${hostedUiDomainPrefix(config)}.auth.${region}.amazoncognito.com`;
}

/**
 * The Cognito user pool people sign in to, with the web board's app client and the hosted UI.
 *
 * Taskflow identifies an external user by e-mail (users-application `ensureByEmail`), so the
 * pool signs in by e-mail, verifies it, and keeps the original address until a changed one is
 * verified: an ID token's `email` is always one its owner proved. The web board is a public
 * client (no secret) using the authorization code grant with PKCE; the API verifies the ID
 * tokens itself by JWKS (no API Gateway authorizer), the same code as the local host.
 */
export class TaskflowUserPool extends Construct {
  readonly userPool: cognito.UserPool;
  readonly webClient: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly jwks: JwksSettings;

  constructor(scope: Construct, id: string, props: TaskflowUserPoolProps) {
    super(scope, id);
    const { config } = props;
    const settings = config.api.userPool;
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${config.projectName}-${config.stage}-users`,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      selfSignUpEnabled: settings.selfSignUp,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: false, mutable: true },
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: settings.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      // TOTP only: SMS would need an SNS role and a spend limit, and is the weaker factor.
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: config.deletionProtection,
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      ...(settings.threatProtection
        ? {
            featurePlan: cognito.FeaturePlan.PLUS,
            standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
          }
        : { featurePlan: cognito.FeaturePlan.ESSENTIALS }),
    });
    if (!settings.threatProtection)
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG8',
        reason:
          'Threat protection needs the Plus feature plan, billed per monthly active user; it is on where config.api.userPool.threatProtection is set (the prod preset) and off in dev pools, which hold test users only',
      });
    if (settings.mfa !== 'required')
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG2',
        reason:
          'MFA (TOTP) is optional in this stage (config.api.userPool.mfa) so that test users sign up without an authenticator app; the prod preset requires it',
      });

    const configured = [...settings.callbackUrls];
    const web = props.webOrigin;
    // The configured URLs are literals (origins computed here); the board's origin is a token.
    const callbackUrls = web === undefined ? configured : [...configured, `${web}/auth/callback`];
    const logoutUrls = [
      ...new Set(configured.map((url) => `${new URL(url).origin}/`)),
      ...(web === undefined ? [] : [`${web}/`]),
    ];
    this.webClient = this.userPool.addClient('WebClient', {
      userPoolClientName: 'web-board',
      // A browser app keeps no secret: the authorization code grant with PKCE protects the code.
      generateSecret: false,
      authFlows: { userSrp: true, userPassword: settings.cliSignIn },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls,
        logoutUrls,
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    this.domain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: hostedUiDomainPrefix(config) },
    });
    // The pool's own region: with two regions, both APIs trust the primary region's pool.
    const issuer = `https://cognito-idp.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/${this.userPool.userPoolId}`;
    this.jwks = {
      url: `${issuer}/.well-known/jwks.json`,
      issuer,
      audience: this.webClient.userPoolClientId,
    };
  }

  /** The hosted UI's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  get hostedUiUrl(): string {
    return this.domain.baseUrl();
  }
}

/**
 * Tells a function to accept the pool's ID tokens: `JWKS_URL`, `JWKS_ISSUER`, `JWKS_AUDIENCE`.
 * No permission goes with them: the key set is public.
 */
export function bindJwksVerifier(fn: TaskflowFunction, jwks: JwksSettings): void {
  fn.addEnvironment('JWKS_URL', jwks.url);
  fn.addEnvironment('JWKS_ISSUER', jwks.issuer);
  fn.addEnvironment('JWKS_AUDIENCE', jwks.audience);
}
