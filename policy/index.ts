// The cm-infra policy pack: `pulumi preview --policy-pack policy` (see README, "Policy pack").
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("cm-infra", { policies: [...POLICIES], enforcementLevel: "mandatory" });
