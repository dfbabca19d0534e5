/** GET /: what the signed-in user may do, one card per section their roles open. */
import { Router } from 'express';
import { ROLE_WORDS } from '../domain/permissions';
import type { AdminSection } from './section';
import { signedInUser } from './session';
import { visibleTo } from '../domain/permissions';

export function homeRoutes(sections: readonly AdminSection[]): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const user = signedInUser(req);
    res.render('home', {
      title: 'Home',
      sections: visibleTo(sections, user.roles).map((s) => ({ label: s.label, path: s.path })),
      roleWords: user.roles.map((role) => ({ role, words: ROLE_WORDS[role] })),
    });
  });
  return router;
}
