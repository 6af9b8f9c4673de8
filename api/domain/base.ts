// The class the hand-written Domain overrides build on: the generated Domain methods
// (api/generated/domain.ts); the override files chain from here to DomainOverrides.
export { DomainGenerated as DomainBase } from "../generated/domain.ts";
