import { AggregateRoot, pendingEvent } from '@taskflow/platform-events';
import { boundedText } from '@taskflow/platform-kernel';
import { Email } from './email.value-object';
import { type UserEvent, type UserSnapshot, userCreated } from './user.events';

/** Bounds of a user's display name, in characters. */
export const USER_NAME_BOUNDS = { min: 1, max: 100 } as const;

/** Stored state of a user. */
export interface UserProps {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly version: number;
  readonly createdAt: string;
}

/**
 * A person who can own, edit and be assigned tasks. Unique by e-mail, case-insensitively
 * (enforced by the store, which reports a duplicate as a conflict).
 */
export class User extends AggregateRoot<UserEvent> {
  private constructor(private readonly props: UserProps) {
    super(props.id);
  }

  /** Registers a new user; raises `user.created`. */
  static create(input: {
    id: string;
    name: string;
    email: string;
    actorId: string | null;
    now: Date;
  }): User {
    const name = boundedText('name', input.name, { ...USER_NAME_BOUNDS, trim: true });
    const email = Email.create(input.email);
    const createdAt = input.now.toISOString();
    const user = new User({ id: input.id, name, email: email.value, version: 1, createdAt });
    user.record(
      pendingEvent(
        userCreated,
        { user: user.snapshot() },
        {
          aggregateId: input.id,
          aggregateVersion: 1,
          projectId: null,
          actor: input.actorId ?? input.id,
          occurredAt: createdAt,
        },
      ),
    );
    return user;
  }

  /** Rebuilds a user from storage; raises nothing. */
  static rehydrate(props: UserProps): User {
    return new User(props);
  }

  get email(): string {
    return this.props.email;
  }

  /** The user's public shape. */
  snapshot(): UserSnapshot {
    return {
      id: this.props.id,
      name: this.props.name,
      email: this.props.email,
      createdAt: this.props.createdAt,
    };
  }
}
