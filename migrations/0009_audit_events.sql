ALTER TABLE `auth_events` RENAME TO `audit_events`;--> statement-breakpoint
DROP INDEX `auth_events_subject_idx`;--> statement-breakpoint
DROP INDEX `auth_events_type_idx`;--> statement-breakpoint
DROP INDEX `auth_events_org_idx`;--> statement-breakpoint
DROP INDEX `auth_events_invitations_idx`;--> statement-breakpoint
CREATE INDEX `audit_events_subject_idx` ON `audit_events` (`subject_user_id`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_type_idx` ON `audit_events` (`type`,`id`);--> statement-breakpoint
CREATE INDEX `audit_events_org_idx` ON `audit_events` (`org_id`,`id`) WHERE "audit_events"."org_id" is not null;--> statement-breakpoint
CREATE INDEX `audit_events_invitations_idx` ON `audit_events` (`actor_user_id`,`id`) WHERE "audit_events"."type" = 'invitation_created';