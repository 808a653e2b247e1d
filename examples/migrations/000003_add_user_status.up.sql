-- Add an account status, and look users up by it.
ALTER TABLE users ADD COLUMN status varchar(20) NOT NULL;
CREATE INDEX idx_users_status ON users (status);
ALTER TABLE users ALTER COLUMN email TYPE varchar(320);
ALTER TABLE users ALTER COLUMN phone TYPE bigint USING phone::bigint;
