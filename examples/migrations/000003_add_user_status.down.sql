DROP INDEX idx_users_status;
