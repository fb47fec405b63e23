import type { AuthCheckerFn } from 'type-graphql';
import { AppError, ErrorCode } from '../errors';
import type { Principal } from '../services/principal';

/**
 * The one `authChecker`: type-graphql's own error for a refused role carries
 * the code `UNAUTHORIZED`, which is not in our contract (and would be masked),
 * so the refusal is thrown here as FORBIDDEN.
 */
export const principalAuthChecker: AuthCheckerFn<{ principal: Principal }> = ({ context, info }, roles) => {
  const role = context.principal.role;
  if (roles.length === 0 || roles.includes(role)) return true;
  throw new AppError(ErrorCode.FORBIDDEN, `${info.parentType.name}.${info.fieldName} is not available to ${role} principals`);
};
