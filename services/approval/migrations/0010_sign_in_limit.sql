-- Sign-in links are limited per person (APPROVAL_SIGN_IN_LINKS_PER_WINDOW in a code's
-- lifetime): the count reads a person's recent codes by this index.
CREATE INDEX sign_in_codes_by_user ON sign_in_codes (user_id, created_at);
