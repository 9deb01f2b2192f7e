import { AaPanelEdge } from "./components/aapanelEdge";
import { AaPanelFirewall } from "./components/aapanelFirewall";
import { dockerProvider, registryLoginOf } from "./components/dockerProvider";
import { FlaskStack } from "./components/flaskStack";
import { GeneratedSecrets } from "./components/generatedSecrets";
import { HostFirewall } from "./components/hostFirewall";
import { loadConfig } from "./config/load";
import { aapanelFirewallSpecOf } from "./render/aapanelFirewall/spec";
import { firewallSpecOf } from "./render/firewall/spec";
import { edgeSiteOf } from "./render/nginx/site";
import { serviceCatalogue } from "./render/containers";

// Config is read and validated here, before any resource is declared.
const config = loadConfig();

// Orders are arguments, given to the children that need them, never a component's
// dependsOn: the SDK registers a child only after its parent, and the parent only after
// all it depends on, so a component's dependsOn would hold back every child.

// The firewall goes first, so the web port is never published unfiltered (FlaskStack's
// containers wait for it; its image pulls do not).
const firewall = new HostFirewall(`${config.tier}-firewall`, {
  host: config.flaskHost,
  privateKey: config.sshPrivateKey,
  reapplyGeneration: config.reapplyGeneration,
  spec: firewallSpecOf(config),
});

const app = new FlaskStack(
  config.tier,
  {
    tier: config.tier,
    services: serviceCatalogue(config),
    images: config.images,
    databaseImage: config.app.databaseImage,
    secrets: config.secrets ?? new GeneratedSecrets(`${config.tier}-secrets`).secrets,
    provider: dockerProvider(`${config.tier}-docker`, { endpoint: config.docker, host: config.flaskHost, registry: registryLoginOf(config.images, config.registryPassword) }),
    firewall,
  },
);

// aapanelHost.firewall: ufw on the aaPanel host. It only opens the web ports (which the
// site's server block joins, public behind basic auth) and keeps SSH and the panel to the
// admin sources, so neither it nor the site is safer in any order: they run at once.
const aapanelFirewallSpec = aapanelFirewallSpecOf(config);
const aapanelFirewall = aapanelFirewallSpec
  ? new AaPanelFirewall(`${config.tier}-aapanel-firewall`, {
      host: config.aapanelHost,
      privateKey: config.sshPrivateKey,
      reapplyGeneration: config.reapplyGeneration,
      spec: aapanelFirewallSpec,
    })
  : undefined;

const edge = config.publishThroughEdge
  ? new AaPanelEdge(
      `${config.tier}-edge`,
      {
        host: config.aapanelHost,
        privateKey: config.sshPrivateKey,
        operatorUser: config.edge.operatorUser,
        passwordRotation: config.edge.passwordRotation,
        reapplyGeneration: config.reapplyGeneration,
        site: edgeSiteOf(config),
        app,
      },
    )
  : undefined;

export const tier = config.tier;
export const containerNames = app.containerNames;
export const networkNames = app.networkNames;
export const lanWebUrl = app.webUrl;
export const databaseVolume = app.databaseVolume;
export const publicUrl = edge ? `${config.edge.tls ? "https" : "http"}://${config.domain}/` : undefined;
export const operatorUser = edge ? config.edge.operatorUser : undefined;
/** Read with: pulumi stack output operatorPassword --show-secrets */
export const operatorPassword = edge?.operatorPassword;
export const edgeFiles = edge?.installedFiles;
export const edgeResult = edge?.siteResult;
export const firewallResult = firewall.result;
export const aapanelFirewallResult = aapanelFirewall?.result;
