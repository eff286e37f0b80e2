CREATE TABLE `invitations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`invitee` text NOT NULL,
	`invitee_key` text NOT NULL,
	`invitee_user_id` text,
	`role` text NOT NULL,
	`invited_by` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invitee_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`invited_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	CONSTRAINT "invitations_role_check" CHECK("invitations"."role" in ('owner', 'admin', 'member'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invitations_org_invitee_unique` ON `invitations` (`org_id`,`invitee_key`);--> statement-breakpoint
CREATE INDEX `invitations_org_idx` ON `invitations` (`org_id`,`id`);--> statement-breakpoint
CREATE INDEX `invitations_invitee_user_idx` ON `invitations` (`invitee_user_id`,`id`);--> statement-breakpoint
CREATE INDEX `invitations_unbound_idx` ON `invitations` (`invitee_key`) WHERE "invitations"."invitee_user_id" is null;--> statement-breakpoint
CREATE INDEX `invitations_expires_at_idx` ON `invitations` (`expires_at`);--> statement-breakpoint
ALTER TABLE `memberships` ADD `accepted_at` integer;--> statement-breakpoint
CREATE INDEX `auth_events_invitations_idx` ON `auth_events` (`actor_user_id`,`id`) WHERE "auth_events"."type" = 'invitation_created';--> statement-breakpoint
-- Whoever created an organisation through the API chose to belong; members added before invitations existed did not.
UPDATE `memberships` SET `accepted_at` = `created_at` WHERE EXISTS (SELECT 1 FROM `auth_events` WHERE `auth_events`.`type` = 'org_created' AND `auth_events`.`org_id` = `memberships`.`org_id` AND `auth_events`.`subject_user_id` = `memberships`.`user_id` AND `auth_events`.`actor_user_id` = `memberships`.`user_id`);
