// torchlab/lab: the notebook's experiments, their lessons and reports (what `torchlab lab` runs).
export { runLab, type LabOptions, type LabResult, type ExperimentResult } from './lab.js';
export { experiment, EXPERIMENTS, type ExperimentId, type ExperimentSpec, type RunSpec, type PresetName, type Overrides } from './experiments.js';
export { lessonsFor, type Lesson } from './lessons.js';
export { writeReport, renderMarkdown, renderHtml, type LabReport, type ExperimentSection, type PlotRef } from './report.js';
export { experimentPlots } from './lab-plots.js';
