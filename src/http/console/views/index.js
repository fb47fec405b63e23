// The console's pages. A new page is a module exporting a view, plus one line here.
// A view: { name, pattern (RegExp on the hash path, named groups become params), roles (null: any signed-in principal),
//           menu ({ label, href(me) } to appear in the bar), render(ctx) → Promise<Node> }.
import { loginView } from './login.js';
import { searchView } from './search.js';
import { customerView } from './customer.js';
import { composeView } from './compose.js';
import { communicationView } from './communication.js';
import { operationsView } from './operations.js';
import { approvalsView } from './approvals.js';

export const VIEWS = [loginView, searchView, customerView, composeView, communicationView, approvalsView, operationsView];
