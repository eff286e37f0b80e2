DROP TABLE `refresh_tokens`;--> statement-breakpoint
DROP INDEX `refresh_families_expires_at_idx`;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `generation` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `idle_expires_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- By hand: a family from before 0008 is kept until its absolute limit, as it was, so its access tokens stay refusable.
UPDATE `refresh_families` SET `idle_expires_at` = `expires_at`;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `rotated_at` integer;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `previous_rotated_at` integer;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `budget_full_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `refresh_families` ADD `limited_at` integer;--> statement-breakpoint
CREATE INDEX `refresh_families_idle_expires_at_idx` ON `refresh_families` (`idle_expires_at`);