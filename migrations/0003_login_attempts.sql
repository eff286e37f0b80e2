-- Counter names change form (HMACs of the login, /64 networks), so the old rows name
-- nothing any more: the counters start over once, at this migration.
DROP TABLE `login_throttles`;--> statement-breakpoint
CREATE TABLE `login_throttles` (
	`key` text PRIMARY KEY NOT NULL,
	`attempts` integer NOT NULL,
	`last_attempt_at` integer NOT NULL,
	`blocked_until` integer NOT NULL,
	`next_clean_attempt_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_throttles_expires_at_idx` ON `login_throttles` (`expires_at`);
